package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp storage share add|remove}. */
@Command(name = "share", description = "Add (mount) or remove (unmount) an NFS or SMB share.",
        subcommands = {StorageShareCommand.Add.class, StorageShareCommand.Remove.class})
class StorageShareCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp storage share add nfs1 --protocol nfs --source filer:/vm'");
    }

    @Command(name = "add", description = "Store a share and mount it on this node; if the mount fails nothing is stored.")
    static class Add extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The share's id.")
        String id;

        @Option(names = "--spec", paramLabel = "JSON|@FILE", description = "The whole spec: inline JSON, @FILE, or @- for stdin.")
        String specText;

        @Option(names = "--protocol", paramLabel = "PROTO", description = "nfs or smb.")
        String protocol;

        @Option(names = "--source", paramLabel = "SOURCE", description = "nfs: host:/export; smb: //host/share.")
        String source;

        @Option(names = "--options", paramLabel = "OPTS", description = "Mount options, comma-separated (e.g. vers=4.2,hard).")
        String options;

        @Option(names = "--nodes", paramLabel = "NODE", split = ",", description = "Nodes that mount it (default: every node).")
        List<String> nodes;

        private ObjectNode built;

        @Override
        protected void validate() {
            if (specText == null && (protocol == null || source == null)) {
                throw new ParameterException(spec.commandLine(), "give --protocol and --source, or --spec");
            }
            built = specText == null ? JsonTrees.object() : Args.spec(specText);
            if (protocol != null) {
                built.put("protocol", protocol);
            }
            if (source != null) {
                built.put("source", source);
            }
            if (options != null) {
                built.put("options", options);
            }
            if (nodes != null) {
                nodes.forEach(built.putArray("nodes")::add);
            }
        }

        @Override
        protected int run(ApiClient api) {
            ObjectNode args = JsonTrees.object().put("id", id);
            args.set("spec", built);
            return print(api.call("storage", "share.add", args), (r, out) -> out.println("share " + id + ": "
                    + r.path("meta").path("state").asText("stored") + " at " + r.path("meta").path("path").asText("?")));
        }
    }

    @Command(name = "remove", description = "Unmount and delete a share no pool uses.")
    static class Remove extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The share's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("storage", "share.remove", JsonTrees.object().put("id", id)), (r, out) -> out.println("removed share " + id));
        }
    }
}
