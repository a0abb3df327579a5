package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp system snapshot create|list|revert|delete ID [NAME]}: snapshots of a system's qcow2 disks (and memory). */
@Command(name = "snapshot", description = {"Snapshots of a system on the node that runs it: disks inside their qcow2 images,",
    "and the memory state when the system runs. Send it to the system's node (acp --node N ...)."},
        subcommands = {SystemSnapshotCommand.Create.class, SystemSnapshotCommand.ListSnapshots.class, SystemSnapshotCommand.Revert.class,
            SystemSnapshotCommand.Delete.class})
class SystemSnapshotCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp system snapshot list ID'");
    }

    /** "s2 (parent s1, with memory, taken running at 2026-12-02T00:30:00Z, application-consistent)". */
    static String describe(JsonNode s) {
        return s.path("name").asText() + " (" + (s.path("parent").isTextual() ? "parent " + s.path("parent").asText() : "no parent")
                + (s.path("memory").asBoolean() ? ", with memory" : ", disks only") + ", taken " + s.path("state").asText()
                + " at " + s.path("createdAt").asText() + (s.hasNonNull("consistency") ? ", " + consistency(s) : "") + ")";
    }

    /** "application-consistent", "crash-consistent", "powered-off"; "-" when not recorded. */
    static String consistency(JsonNode s) {
        String c = s.path("consistency").asText("-");
        return c.equals("application") || c.equals("crash") ? c + "-consistent" : c;
    }

    /** An operation on one named snapshot of a system. */
    abstract static class OnSnapshot extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
        String id;

        @Parameters(index = "1", paramLabel = "NAME", description = "The snapshot's name: letters, digits, '.', '_', '-'.")
        String name;

        protected ObjectNode args() {
            return io.acp.model.JsonTrees.object().put("id", id).put("name", name);
        }
    }

    @Command(name = "create", description = "Take a snapshot: of the disks of a stopped system; of disks and memory of a running one.")
    static class Create extends OnSnapshot {
        @Option(names = "--memory", description = "Require the memory state (the system must run; a running system's snapshot always holds it on qemu).")
        boolean memory;

        @Option(names = "--description", paramLabel = "TEXT", description = "A note kept with the snapshot.")
        String description;

        @Override
        protected int run(ApiClient api) {
            ObjectNode args = args().put("memory", memory);
            if (description != null) {
                args.put("description", description);
            }
            return print(api.call("hypervisor", "snapshot-create", args), (r, out) -> out.println("snapshot of system " + r.path("id").asText()
                    + " on " + r.path("node").asText() + ": " + describe(r.path("snapshot"))));
        }
    }

    @Command(name = "list", description = "A system's snapshots, oldest first, with their parents.")
    static class ListSnapshots extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "snapshot-list", io.acp.model.JsonTrees.object().put("id", id)), (r, out) -> {
                Table t = new Table("NAME", "PARENT", "MEMORY", "TAKEN", "CREATED", "CONSISTENCY");
                for (JsonNode s : r.path("snapshots")) {
                    t.row(s.path("name").asText(), s.path("parent").isTextual() ? s.path("parent").asText() : "-",
                            s.path("memory").asBoolean() ? "yes" : "no", s.path("state").asText(), s.path("createdAt").asText(),
                            s.hasNonNull("consistency") ? consistency(s) : "-");
                }
                t.print(out);
            });
        }
    }

    @Command(name = "revert", description = {"Bring the system back to a snapshot: its disks, and with a memory snapshot the running guest as it was.",
        "A disk-only snapshot is reverted only while the system is stopped."})
    static class Revert extends OnSnapshot {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "snapshot-revert", args()), (r, out) -> out.println("reverted system " + r.path("id").asText()
                    + " to snapshot " + r.path("snapshot").path("name").asText() + ": " + r.path("state").asText() + " on " + r.path("node").asText()));
        }
    }

    @Command(name = "delete", description = "Delete a snapshot; its children take its parent as theirs.")
    static class Delete extends OnSnapshot {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "snapshot-delete", args()), (r, out) -> out.println("deleted snapshot " + r.path("snapshot").asText()
                    + " of system " + r.path("id").asText()));
        }
    }
}
