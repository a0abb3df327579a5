package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp storage …}: the node's devices, pools, volumes and shares, through the storage service. */
@Command(name = "storage", description = "Inspect devices, pools and shares; create pools, volumes and shares.",
        subcommands = {StorageCommand.ListStorage.class, StorageCommand.Show.class, StoragePoolCommand.class, StorageVolumeCommand.class,
            StorageShareCommand.class})
class StorageCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp storage list'");
    }

    @Command(name = "list", description = "Pools, shares and this node's devices with their state, capacity and use.")
    static class ListStorage extends ClientCommand {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("storage", "list", JsonTrees.object()), (list, out) -> {
                Table t = new Table("ID", "TYPE", "STATE", "KIND", "SIZE", "FREE", "USED", "PROBLEM");
                for (JsonNode s : list) {
                    JsonNode meta = s.path("meta");
                    JsonNode stats = s.path("stats");
                    boolean device = s.path("subtype").asText().equals("device");
                    t.row(s.path("id").asText(), s.path("subtype").asText(), meta.path("state").asText("-"),
                            device ? (meta.path("inUse").asBoolean() ? "in use" : "free") : meta.path("kind").asText(device ? "" : "-"),
                            bytes(device ? meta.path("size") : stats.path("capacity")), device ? "" : bytes(stats.path("free")),
                            stats.has("usedPercent") ? String.format(Locale.ROOT, "%.1f%%", stats.path("usedPercent").asDouble()) : "",
                            meta.path("problem").asText(""));
                }
                t.print(out);
            });
        }
    }

    @Command(name = "show", description = "One pool, share or device: spec, state, stats and (pools) volumes on this node.")
    static class Show extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The pool's, share's or device's id (devices: NODE:NAME).")
        String id;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("storage", "show", JsonTrees.object().put("id", id)), Show::human);
        }

        private static void human(JsonNode r, PrintWriter out) {
            Table t = new Table("FIELD", "VALUE");
            t.row("id", r.path("id").asText());
            t.row("type", r.path("subtype").asText());
            t.row("spec", JsonTrees.text(r.path("object").path("spec")));
            r.path("meta").properties().forEach(f -> t.row(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : JsonTrees.text(f.getValue())));
            r.path("stats").properties().forEach(f -> t.row(f.getKey(), number(f.getValue().asDouble())));
            t.print(out);
            JsonNode volumes = r.path("volumes");
            if (volumes.isArray()) {
                out.println();
                Table v = new Table("VOLUME", "FORMAT", "SIZE", "PATH");
                volumes.forEach(x -> v.row(x.path("name").asText(), x.path("format").asText(), bytes(x.path("capacity")), x.path("path").asText()));
                v.print(out);
            }
        }
    }

    /** Bytes the way people read them: 1.5 GiB. */
    static String bytes(JsonNode n) {
        if (!n.isNumber()) {
            return "";
        }
        double v = n.asDouble();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f B", v) : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
