package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code acp system backup ID --to POOL} and {@code acp system restore ID BACKUP --from POOL}: plain
 * copies of stopped systems, full then incremental backups of running ones.
 */
final class SystemBackupCommand {

    private SystemBackupCommand() {
    }

    @Command(name = "backup", description = {"Back up a system's writable disks into a storage pool of its node, with a manifest of SHA-256 checksums:",
        "a stopped system's are copied; a running system's (qcow2) are taken through libvirt's backup API, in full the first time and",
        "incrementally (changed clusters only) after. A backup that fails half-way is removed. Send it to the system's node (acp --node N ...)."})
    static class Backup extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
        String id;

        @Option(names = "--to", required = true, paramLabel = "POOL", description = "The storage pool that keeps the backup.")
        String to;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("hypervisor", "backup", JsonTrees.object().put("id", id).put("to", to)), (r, out) -> {
                long bytes = 0;
                for (JsonNode d : r.path("disks")) {
                    bytes += d.path("bytes").asLong();
                }
                String kind = switch (r.path("kind").asText("copy")) {
                    case "full" -> "full, taken running";
                    case "incremental" -> "incremental on " + r.path("parent").asText() + ", taken running";
                    default -> "copy, taken stopped";
                };
                out.println("backup " + r.path("backup").asText() + " of system " + r.path("system").asText() + " in pool " + r.path("pool").asText()
                        + ": " + kind + ", " + r.path("disks").size() + " disk(s), " + bytes + " bytes, checksums in its manifest");
            });
        }
    }

    @Command(name = "backups", description = {"List a system's backups in a pool, or in every pool the answering node reaches, oldest first:",
        "kind (and parent), time, disks, bytes. A directory without its manifest (being written, or cut off) shows as incomplete.",
        "acp --node N lists what node N reaches, e.g. before a restore there."})
    static class Backups extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The system's id (it need not exist any more).")
        String id;

        @Option(names = "--pool", paramLabel = "POOL", description = "Only this storage pool.")
        String pool;

        @Override
        protected int run(ApiClient api) {
            com.fasterxml.jackson.databind.node.ObjectNode args = JsonTrees.object().put("id", id);
            if (pool != null) {
                args.put("pool", pool);
            }
            return print(api.call("hypervisor", "backup-list", args), (r, out) -> {
                if (r.path("backups").isEmpty()) {
                    out.println("no backups of system " + r.path("system").asText() + " on node " + r.path("node").asText());
                }
                for (JsonNode b : r.path("backups")) {
                    String kind = !b.path("complete").asBoolean()
                            ? "incomplete" + (b.hasNonNull("problem") ? " (" + b.path("problem").asText() + ")" : "")
                            : b.path("kind").asText() + (b.hasNonNull("parent") ? " on " + b.path("parent").asText() : "");
                    out.println(b.path("backup").asText() + "  pool " + b.path("pool").asText() + "  " + b.path("createdAt").asText() + "  " + kind
                            + (b.path("complete").asBoolean() ? "  " + b.path("disks").asInt() + " disk(s), " + b.path("bytes").asLong() + " bytes" : ""));
                }
            });
        }
    }

    @Command(name = "restore", description = {"Verify the checksums of a backup and of the backups it is incremental on, write its disks back over the",
        "stopped system's, and start the system.",
        "A checksum that does not match restores nothing and names the file. With --as, a copy under a new id; with --node, on another node."})
    static class Restore extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
        String id;

        @Parameters(index = "1", paramLabel = "BACKUP", description = "The backup, as 'acp system backup' named it.")
        String backup;

        @Option(names = "--from", required = true, paramLabel = "POOL", description = "The storage pool that keeps the backup.")
        String from;

        @Option(names = "--as", paramLabel = "NEWID", description = {"Restore it as a new system beside the original: its own volumes (named after NEWID),",
            "new MACs and UUID. Refused if NEWID exists."})
        String as;

        @Option(names = "--node", paramLabel = "NODE", description = {"Restore it on this node (which must reach the pool), as 'acp --node NODE' would:",
            "the system, or its copy with --as, is then assigned to NODE."})
        String node;

        @Override
        protected String target(String globalNode) {
            return node != null ? node : globalNode;
        }

        @Override
        protected int run(ApiClient api) {
            com.fasterxml.jackson.databind.node.ObjectNode args = JsonTrees.object().put("id", id).put("from", from).put("backup", backup);
            if (as != null) {
                args.put("as", as);
            }
            return print(api.call("hypervisor", "restore", args),
                    (r, out) -> out.println("restored system " + r.path("id").asText() + " from backup " + r.path("backup").asText() + ": "
                            + r.path("state").asText() + " on " + r.path("node").asText()));
        }
    }
}
