package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code acp system set ID …}: changes fields of a system's spec (hypervisor.set). */
@Command(name = "set", description = "Change a system's spec: vcpus, memory, their maxima, name, disks, networks, autostart. A running system gets"
        + " vcpus and memory live up to the maxima it started with, and disks and NICs added at or removed from the end of their lists by hot-plug;"
        + " everything else at its next start. The answer says, per field, which and why.")
class SystemSetCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
    String id;

    @Option(names = "--vcpus", paramLabel = "N", description = "Virtual CPUs.")
    Integer vcpus;

    @Option(names = "--memory", paramLabel = "MIB", description = "Memory in MiB.")
    Integer memory;

    @Option(names = "--max-vcpus", paramLabel = "N", description = "The most vCPUs it can be given while it runs (hot-plug); applies at its next start.")
    Integer maxVcpus;

    @Option(names = "--max-memory", paramLabel = "MIB", description = "The most memory in MiB it can be given while it runs (balloon); applies at its next start.")
    Integer maxMemory;

    @Option(names = "--name", paramLabel = "TEXT", description = "The display name (the domain's title).")
    String name;

    @Option(names = "--disk", paramLabel = "PATH", description = "The disk image files, replacing the system's disks; repeat for more.")
    List<String> disks;

    @Option(names = "--network", paramLabel = "NAME", description = "The ACP networks of its interfaces, replacing its interfaces; repeat for more.")
    List<String> networks;

    @Option(names = "--add-disk", paramLabel = "PATH", description = "Add a disk image file after the system's disks (hot-plugged into a running system); repeat for more.")
    List<String> addDisks;

    @Option(names = "--remove-disk", paramLabel = "PATH", description = "Remove the system's disk of this path or pool volume name (unplugged from a running system when it is the last); repeat for more.")
    List<String> removeDisks;

    @Option(names = "--add-network", paramLabel = "NAME", description = "Add an interface on ACP network NAME after the system's interfaces (hot-plugged into a running system); repeat for more.")
    List<String> addNetworks;

    @Option(names = "--remove-network", paramLabel = "NAME", description = "Remove the system's last interface on ACP network (or bridge) NAME (unplugged from a running system when it is the last); repeat for more.")
    List<String> removeNetworks;

    @Option(names = "--autostart", negatable = true, description = "Start it (or not: --no-autostart) when the hypervisor starts.")
    Boolean autostart;

    @Option(names = "--backup-schedule", paramLabel = "WHEN", description = {"Scheduled backups: 'daily HH:MM' (UTC) or 'every N' with m, h or d",
        "(e.g. every 6h), by the system's node (a copy while stopped; full, then incremental, while running); with --backup-keep and --backup-to."})
    String backupSchedule;

    @Option(names = "--backup-keep", paramLabel = "N", description = "How many of the newest backups the pool keeps (keep-last); others are pruned after each.")
    Integer backupKeep;

    @Option(names = "--backup-keep-daily", paramLabel = "N", description = "Also keep the newest backup of each of the last N days (UTC) that have one.")
    Integer backupKeepDaily;

    @Option(names = "--backup-keep-weekly", paramLabel = "N", description = "Also keep the newest backup of each of the last N ISO weeks that have one.")
    Integer backupKeepWeekly;

    @Option(names = "--backup-to", paramLabel = "POOL", description = "The storage pool that keeps the scheduled backups.")
    String backupTo;

    @Option(names = "--no-backup", description = "No more scheduled backups (the backups made stay).")
    boolean noBackup;

    private ObjectNode changes;

    @Override
    protected void validate() {
        SpecFlags.checkSizes(spec.commandLine(), vcpus, memory);
        changes = JsonTrees.object();
        if (maxVcpus != null && maxVcpus < 1 || maxMemory != null && maxMemory < 1) {
            throw new ParameterException(spec.commandLine(), "invalid value for option '" + (maxVcpus != null && maxVcpus < 1 ? "--max-vcpus': " + maxVcpus
                    : "--max-memory': " + maxMemory) + " (must be at least 1)");
        }
        SpecFlags.put(changes, vcpus, memory, disks, networks);
        if (maxVcpus != null) {
            changes.put("maxVcpus", maxVcpus);
        }
        if (maxMemory != null) {
            changes.put("maxMemory", maxMemory);
        }
        if (name != null) {
            changes.put("name", name);
        }
        if (autostart != null) {
            changes.put("autostart", autostart);
        }
        if (backupSchedule != null || backupKeep != null || backupTo != null || backupKeepDaily != null || backupKeepWeekly != null) {
            if (backupSchedule == null || backupKeep == null || backupTo == null || noBackup) {
                throw new ParameterException(spec.commandLine(), "a backup schedule needs --backup-schedule, --backup-keep and --backup-to together (or --no-backup alone)");
            }
            com.fasterxml.jackson.databind.node.ObjectNode policy = changes.putObject("backup").put("schedule", backupSchedule).put("keep", backupKeep);
            if (backupKeepDaily != null) {
                policy.put("keepDaily", backupKeepDaily);
            }
            if (backupKeepWeekly != null) {
                policy.put("keepWeekly", backupKeepWeekly);
            }
            policy.put("to", backupTo);
        } else if (noBackup) {
            changes.putNull("backup");
        }
        if ((addDisks != null || removeDisks != null) && disks != null || (addNetworks != null || removeNetworks != null) && networks != null) {
            throw new ParameterException(spec.commandLine(), "--disk and --network replace the whole list: give them alone, or --add-/--remove- forms alone");
        }
        boolean edits = addDisks != null || removeDisks != null || addNetworks != null || removeNetworks != null;
        if (changes.isEmpty() && !edits) {
            throw new ParameterException(spec.commandLine(), "nothing to change: give at least one of --vcpus, --memory, --max-vcpus, --max-memory, --name, --disk,"
                    + " --add-disk, --remove-disk, --network, --add-network, --remove-network, --autostart, --backup-schedule, --no-backup");
        }
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = JsonTrees.object().put("id", id);
        if (addDisks != null || removeDisks != null || addNetworks != null || removeNetworks != null) {
            // The lists as the node holds them now, changed here; the node writes them only if nobody changed the system meanwhile.
            JsonNode current = api.call("hypervisor", "show", JsonTrees.object().put("id", id)).path("object").path("spec");
            if (addDisks != null || removeDisks != null) {
                changes.set("disks", DeviceListEdit.disks(current.path("disks"), addDisks, removeDisks, id));
            }
            if (addNetworks != null || removeNetworks != null) {
                changes.set("interfaces", DeviceListEdit.interfaces(current.path("interfaces"), addNetworks, removeNetworks, id));
            }
        }
        args.set("spec", changes);
        return print(api.call("hypervisor", "set", args), SystemSetCommand::report);
    }

    static void report(JsonNode r, PrintWriter out) {
        SystemCommand.report(r, out);
        JsonNode changed = r.path("changed");
        if (changed.isEmpty()) {
            out.println("nothing changed");
            return;
        }
        StringBuilder fields = new StringBuilder();
        changed.forEach(f -> fields.append(fields.length() == 0 ? "" : ", ").append(f.asText()));
        out.println("changed " + fields + "; applies " + r.path("applies").asText());
        r.path("fields").fields().forEachRemaining(f -> {
            String why = f.getValue().path("why").asText("");
            out.println("  " + f.getKey() + ": " + f.getValue().path("applied").asText() + (why.isEmpty() ? "" : " (" + why + ")"));
        });
    }
}
