package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;

/** {@code acp system console-info ID}: where to reach a running system's consoles. */
@Command(name = "console-info", description = "Where to reach a running system's consoles: graphics (type, host, port) and serial (pty path).")
class SystemConsoleInfoCommand extends SystemCommand.OnSystem {

    @Override
    protected int run(ApiClient api) {
        return print(api.call("hypervisor", "console-info", args()), (r, out) -> {
            Table t = new Table("KIND", "TYPE", "WHERE");
            for (JsonNode c : r.path("consoles")) {
                String where = c.path("kind").asText().equals("graphics")
                        ? c.path("host").asText("-") + ":" + (c.path("port").isInt() ? c.path("port").asText() : "?")
                        : c.path("path").asText("-");
                t.row(c.path("kind").asText(), c.path("type").asText(), where);
            }
            t.print(out);
        });
    }
}
