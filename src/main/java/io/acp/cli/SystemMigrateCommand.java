package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code acp system migrate ID --to NODE [--live]}: moves a system to another node. */
@Command(name = "migrate", description = {"Move a system to another node: offline (a running system is shut down, moved and started again)",
    "or, with --live, while it runs (both nodes on qemu). If anything fails it stays where it was, running if it ran.",
    "Send it to the node the system is on (acp --node N ...)."})
class SystemMigrateCommand extends SystemCommand.OnSystem {

    @Option(names = "--to", required = true, paramLabel = "NODE", description = "The node to move it to.")
    String to;

    @Option(names = "--live", description = "Move it while it runs (libvirt live migration; needs acp.hypervisor.migration-uri on the target).")
    boolean live;

    @Override
    protected ObjectNode args() {
        ObjectNode args = super.args();
        args.put("to", to);
        args.put("live", live);
        return args;
    }

    @Override
    protected int run(ApiClient api) {
        return print(api.call("hypervisor", "migrate", args()), (r, out) -> {
            if (r.path("migrated").asBoolean()) {
                String figures = r.has("durationMs") ? " (took " + r.path("durationMs").asLong() + " ms"
                        + (r.has("downtimeMs") ? ", paused " + r.path("downtimeMs").asLong() + " ms" : "") + ")" : "";
                out.println("migrated system " + r.path("id").asText() + " from " + r.path("from").asText() + " to " + r.path("node").asText()
                        + ": " + r.path("state").asText() + figures);
            } else {
                out.println("system " + r.path("id").asText() + " is already on " + to);
            }
        });
    }
}
