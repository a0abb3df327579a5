package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp template create|list|show|delete}: templates systems are made from (acp system create ID --template T). */
@Command(name = "template", description = {"Templates: a stopped system's disks kept as read-only volumes of a pool, with its spec.",
    "Systems made from one (acp system create ID --template T) run on qcow2 overlays of its volumes, with a cloud-init seed."},
        subcommands = {TemplateCommand.Create.class, TemplateCommand.ListTemplates.class, TemplateCommand.Show.class, TemplateCommand.Delete.class})
class TemplateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp template list'");
    }

    @Command(name = "create", description = {"Make template NAME of a stopped system: its writable disks copied into read-only volumes",
        "template-NAME-<disk>.<format> of a dir pool. Send it to the system's node (acp --node N ...)."})
    static class Create extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The template's name.")
        String name;

        @Option(names = "--from", required = true, paramLabel = "SYSTEM", description = "The stopped system whose disks and spec it takes.")
        String from;

        @Option(names = "--pool", paramLabel = "POOL", description = "The dir pool that keeps its volumes (default: the pool of the system's first disk).")
        String pool;

        @Override
        protected int run(ApiClient api) {
            ObjectNode args = JsonTrees.object().put("id", name).put("from", from);
            if (pool != null) {
                args.put("pool", pool);
            }
            return print(api.call("hypervisor", "template-create", args), (t, out) -> out.println("template " + t.path("id").asText() + " of system "
                    + t.path("system").asText() + " in pool " + t.path("pool").asText() + ": " + t.path("volumes").size() + " read-only volume(s)"));
        }
    }

    @Command(name = "list", description = "Every template, with its pool and the systems made from it.")
    static class ListTemplates extends ClientCommand {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "template-list", JsonTrees.object()), (list, out) -> {
                Table t = new Table("NAME", "FROM", "POOL", "NODE", "VOLUMES", "USED BY");
                for (JsonNode x : list) {
                    t.row(x.path("id").asText(), x.path("system").asText(), x.path("pool").asText(), x.path("node").asText(), x.path("volumes").size(),
                            users(x));
                }
                t.print(out);
            });
        }
    }

    @Command(name = "show", description = "One template: its volumes with their SHA-256, its spec and the systems made from it.")
    static class Show extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The template's name.")
        String name;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "template-show", JsonTrees.object().put("id", name)), (x, out) -> {
                Table t = new Table("FIELD", "VALUE");
                t.row("name", x.path("id").asText());
                t.row("from", x.path("system").asText());
                t.row("pool", x.path("pool").asText());
                t.row("node", x.path("node").asText());
                t.row("created", x.path("createdAt").asText());
                for (JsonNode v : x.path("volumes")) {
                    t.row("volume " + v.path("target").asText(), v.path("volume").asText() + " (" + v.path("bytes").asLong() + " bytes, sha256 "
                            + v.path("sha256").asText() + ")");
                }
                t.row("used by", users(x));
                t.print(out);
            });
        }
    }

    @Command(name = "delete", description = "Delete a template no system is made from, with its volumes where the node reaches its pool.")
    static class Delete extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The template's name.")
        String name;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "template-delete", JsonTrees.object().put("id", name)), (x, out) -> out.println("template "
                    + x.path("id").asText() + " deleted; volumes removed: " + (x.path("volumesRemoved").isEmpty() ? "none" : join(x.path("volumesRemoved")))));
        }
    }

    private static String users(JsonNode x) {
        return x.path("usedBy").isEmpty() ? "-" : join(x.path("usedBy"));
    }

    private static String join(JsonNode a) {
        StringBuilder b = new StringBuilder();
        a.forEach(n -> b.append(b.length() == 0 ? "" : ", ").append(n.asText()));
        return b.toString();
    }
}
