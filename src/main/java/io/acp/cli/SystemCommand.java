package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.WatchStream;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code acp system …}: this node's virtual machines, through the hypervisor service. */
@Command(name = "system", description = "Create, run and inspect systems (virtual machines) on the node.",
        subcommands = {SystemCommand.Create.class, SystemCommand.ListSystems.class, SystemCommand.Show.class,
            SystemCommand.Start.class, SystemCommand.Stop.class, SystemCommand.Shutdown.class, SystemCommand.Pause.class,
            SystemCommand.Resume.class, SystemCommand.Restart.class, SystemCommand.Delete.class, SystemSetCommand.class, SystemMigrateCommand.class,
            SystemConsoleInfoCommand.class, SystemSnapshotCommand.class, SystemBackupCommand.Backup.class, SystemBackupCommand.Backups.class, SystemBackupCommand.Restore.class})
class SystemCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp system list'");
    }

    /** Prints a system's report: one line people can read. */
    static void report(JsonNode r, PrintWriter out) {
        String since = EntryText.instant(text(r.path("since")));
        out.println("system " + r.path("id").asText() + ": " + r.path("state").asText()
                + (r.path("loaded").asBoolean() ? "" : " (not loaded)") + " on " + r.path("node").asText()
                + (since == null ? "" : " since " + since));
    }

    /** A string field, or null when absent or JSON null (a system this node never held has no since). */
    static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }

    /** An operation on one system by id; prints its report. */
    abstract static class OnSystem extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
        String id;

        /** The protocol operation: the command's own name. */
        protected String op() {
            return spec.name();
        }

        protected ObjectNode args() {
            ObjectNode args = JsonTrees.object();
            args.put("id", id);
            return args;
        }

        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", op(), args()), SystemCommand::report);
        }
    }

    @Command(name = "create", description = "Store a system and define it, stopped (with --start, also start it); repeating it changes nothing.")
    static class Create extends OnSystem {

        @Option(names = "--spec", paramLabel = "JSON|@FILE", description = "The whole spec: inline JSON, @FILE, or @- for stdin.")
        String specText;

        @Option(names = "--vcpus", paramLabel = "N", description = "Virtual CPUs (overrides the spec's).")
        Integer vcpus;

        @Option(names = "--memory", paramLabel = "MIB", description = "Memory in MiB (overrides the spec's).")
        Integer memory;

        @Option(names = "--disk", paramLabel = "PATH", description = "A disk image file; repeat for more disks.")
        List<String> disks;

        @Option(names = "--network", paramLabel = "NAME", description = "An interface on this ACP network (attached to the bridge it has on the node); repeat for more.")
        List<String> networks;

        @Option(names = "--autostart", description = "Start it when the hypervisor starts.")
        boolean autostart;

        @Option(names = "--ha", description = "Highly available: when its node fails, it runs again on another node (needs acp.ha on the nodes).")
        boolean ha;

        @Option(names = "--on", paramLabel = "NODE", description = "The node to run it on; without it, the node with the most free capacity.")
        String node;

        @Option(names = "--start", description = "Start it once created (without it the system is created stopped, as qm create and incus create do).")
        boolean start;

        @Option(names = "--template", paramLabel = "T", description = {"Make it from template T: its spec (the other flags change it) and qcow2",
            "overlays of its volumes, plus a cloud-init seed (NoCloud ISO) as a cdrom."})
        String template;

        @Option(names = "--full", description = "With --template: full copies of its volumes instead of overlays (the system no longer needs the template's files).")
        boolean full;

        @Option(names = "--cloud-init", paramLabel = "FILE", description = "With --template: the cloud-init user-data (#cloud-config YAML or a #! script).")
        java.nio.file.Path userData;

        @Option(names = "--ssh-key", paramLabel = "FILE", description = "With --template: an SSH public key file (one key a line); repeat for more.")
        List<java.nio.file.Path> sshKeys;

        @Option(names = "--hostname", paramLabel = "H", description = "With --template: the guest's host name (default: the system's id).")
        String hostname;

        @Option(names = "--network-config", paramLabel = "FILE", description = {"With --template: cloud-init's network configuration (YAML, version 1 or 2,",
            "e.g. static addresses); default: DHCP on every Ethernet interface."})
        java.nio.file.Path networkConfig;

        private ObjectNode built;
        private ObjectNode cloudInit;

        @Override
        protected void validate() {
            SpecFlags.checkSizes(spec.commandLine(), vcpus, memory);
            if (template == null && (full || userData != null || sshKeys != null || hostname != null || networkConfig != null)) {
                throw new ParameterException(spec.commandLine(), "--full, --cloud-init, --ssh-key, --hostname and --network-config go with --template");
            }
            if (template != null) {
                cloudInit = TemplateFlags.cloudInit(spec.commandLine(), userData, sshKeys, hostname, networkConfig);
            }
            if (specText == null && template == null && (vcpus == null || memory == null)) {
                throw new ParameterException(spec.commandLine(), "give --spec, --template, or at least --vcpus and --memory");
            }
            built = specText == null ? JsonTrees.object() : Args.spec(specText);
            SpecFlags.put(built, vcpus, memory, disks, networks);
            if (autostart) {
                built.put("autostart", true);
            }
            if (ha) {
                built.put("ha", true);
            }
            if (node != null) {
                built.put("node", node);
            }
        }

        @Override
        protected ObjectNode args() {
            ObjectNode args = super.args();
            args.set("spec", built);
            args.put("start", start);
            if (template != null) {
                args.put("template", template).put("full", full);
                args.set("cloudInit", cloudInit);
            }
            return args;
        }
    }

    @Command(name = "list", description = "Every system, with its state on this node.")
    static class ListSystems extends ClientCommand {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "list", JsonTrees.object()), (list, out) -> {
                Table t = new Table("ID", "STATE", "LOADED", "VCPUS", "MEMORY", "NODE", "SINCE");
                for (JsonNode s : list) {
                    t.row(s.path("id").asText(), s.path("state").asText(), s.path("loaded").asBoolean() ? "yes" : "no",
                            s.path("vcpus").asInt(), s.path("memory").asInt() + " MiB", s.path("node").asText(), EntryText.instant(text(s.path("since"))));
                }
                t.print(out);
            });
        }
    }

    @Command(name = "show", description = "One system: its spec and its state on this node; --watch prints it again whenever it changes.")
    static class Show extends OnSystem {

        @Option(names = "--watch", description = "Keep printing the system each time its object or state changes, until Ctrl-C or the system is deleted.")
        boolean watch;

        @Override
        protected int run(ApiClient api) {
            print(api.call("hypervisor", "show", args()), Show::describe);
            if (!watch) {
                return ExitCodes.OK;
            }
            ObjectNode filter = JsonTrees.object().put("type", "system").put("id", id);
            filter.putArray("kinds").add("object").add("meta");
            // The CDB is the same on every node: the connected node sees the system's changes wherever it runs.
            try (ApiClient events = connector.open(client)) {
                try (WatchStream stream = events.openWatch(null, filter)) {
                    for (JsonNode e = stream.next(); e != null; e = stream.next()) {
                        if (e.path("kind").asText().equals("object") && e.path("deleted").asBoolean(false)) {
                            if (json()) {
                                printJson(e);
                            } else {
                                out().println();
                                out().println("system " + id + " deleted");
                                out().flush();
                            }
                            return ExitCodes.OK;
                        }
                        if (!json()) {
                            out().println();
                            out().println("-- " + EntryText.instant(java.time.Instant.now().toString()) + " " + e.path("kind").asText() + " changed on "
                                    + (e.hasNonNull("node") ? e.path("node").asText() : EntryText.writer(e.path("version").asText())));
                        }
                        print(api.call("hypervisor", "show", args()), Show::describe);
                    }
                }
            }
            return ExitCodes.OK;
        }

        static void describe(JsonNode r, PrintWriter out) {
            JsonNode meta = r.path("meta");
            JsonNode spec = r.path("object").path("spec");
            Table t = new Table("FIELD", "VALUE");
            t.row("id", r.path("id").asText());
            t.row("state", meta.path("state").asText());
            t.row("loaded", meta.path("loaded").asBoolean());
            t.row("node", meta.path("node").asText());
            t.row("since", EntryText.instant(text(meta.path("since"))));
            t.row("version", r.path("object").path("version").asText());
            t.row("vcpus", spec.path("vcpus").asText());
            t.row("memory", spec.has("memory") ? Units.size(spec.path("memory").asDouble() * 1024 * 1024) : "-");
            for (JsonNode d : spec.path("disks")) {
                t.row("disk", d.has("path") ? d.path("path").asText() : JsonTrees.text(d));
            }
            for (JsonNode n : spec.path("interfaces")) {
                t.row("interface", n.has("network") ? "network " + n.path("network").asText() + (n.has("mac") ? " mac " + n.path("mac").asText() : "") : JsonTrees.text(n));
            }
            t.row("spec", JsonTrees.text(spec));
            t.print(out);
        }
    }

    @Command(name = "start", description = "Start a stopped system (defining its domain if needed); resumes a paused one.")
    static class Start extends OnSystem {
    }

    @Command(name = "stop", description = "Stop a system at once (pulls the plug).")
    static class Stop extends OnSystem {
    }

    @Command(name = "shutdown", description = "Ask the guest to shut down; force it off after acp.hypervisor.shutdown-timeout.")
    static class Shutdown extends OnSystem {
    }

    @Command(name = "pause", description = "Pause a running system.")
    static class Pause extends OnSystem {
    }

    @Command(name = "resume", description = "Resume a paused system.")
    static class Resume extends OnSystem {
    }

    @Command(name = "restart", description = "Shut down (forced after the timeout) and start again.")
    static class Restart extends OnSystem {
    }

    @Command(name = "delete", description = "Undefine a stopped system's domain and delete the system; a running or paused one is "
            + "refused (conflict, rule running-delete) unless --force.")
    static class Delete extends OnSystem {

        @Option(names = "--force", description = "Delete it even if it runs or is paused: it is stopped at once first, as a pulled plug would.")
        boolean force;

        @Override
        protected ObjectNode args() {
            ObjectNode args = super.args();
            if (force) {
                args.put("force", true);
            }
            return args;
        }

        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "delete", args()), (r, out) -> out.println("deleted system " + r.path("id").asText()));
        }
    }
}
