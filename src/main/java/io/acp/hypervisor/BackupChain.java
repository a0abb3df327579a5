package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a restore of one backup reads: that backup and, for an incremental one, its parents back to
 * the full backup they start from (newest first), all in one pool's {@code .acp-backups}. A restore
 * checks every file of the chain against its manifest before it writes anything, and reads an
 * incremental chain as one image: qemu's own qcow2 driver with each link's file backed by its
 * parent's ({@code qemu-img convert} of a {@code json:} chain), so the backup files themselves are
 * never rebased or otherwise changed.
 *
 * @param links the backup asked for first, its full (or plain copy) backup last
 */
record BackupChain(Path backups, String pool, String nodeId, List<BackupManifest> links) {

    /** Longest chain followed: a loop in hand-edited manifests ends here rather than never. */
    private static final int MAX_LINKS = 10_000;

    /** Reads the manifests from {@code backup} back to its full backup; CONFLICT naming a missing or unreadable link. */
    static BackupChain of(Path backups, String pool, String nodeId, String backup) {
        List<BackupManifest> links = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String next = backup;
        while (next != null) {
            if (!seen.add(next) || links.size() >= MAX_LINKS) {
                throw new AcpException(ErrorCode.CONFLICT, "rule backup-chain: the parents of backup " + backup + " in pool " + pool + " on node "
                        + nodeId + " loop back to " + next + "; nothing was restored");
            }
            BackupManifest m;
            try {
                m = BackupManifest.read(backups.resolve(next));
            } catch (IOException | RuntimeException e) {
                throw links.isEmpty()
                        ? new AcpException(ErrorCode.NOT_FOUND, "pool " + pool + " on node " + nodeId + " has no complete backup " + backup
                                + " (no readable " + BackupManifest.FILE + ": " + e.getMessage() + ")")
                        : new AcpException(ErrorCode.CONFLICT, "rule backup-chain: backup " + backup + " in pool " + pool + " on node " + nodeId
                                + " needs its parent backup " + next + ", which has no readable " + BackupManifest.FILE + " (" + e.getMessage()
                                + "); nothing was restored");
            }
            links.add(m);
            next = m.kind() == BackupManifest.Kind.INCREMENTAL ? m.parent() : null;
        }
        return new BackupChain(backups, pool, nodeId, List.copyOf(links));
    }

    /** The backup asked for. */
    BackupManifest head() {
        return links.get(0);
    }

    /** Checks every file of every link against its manifest's SHA-256; CONFLICT naming the first file that differs. */
    void verify(String into) {
        for (BackupManifest m : links) {
            for (BackupManifest.DiskCopy c : m.disks()) {
                Path file = backups.resolve(m.backup()).resolve(c.file());
                String sha;
                try {
                    sha = BackupManifest.sha256Of(file);
                } catch (IOException e) {
                    throw new AcpException(ErrorCode.CONFLICT, "rule backup-checksum: backup " + head().backup() + " in pool " + pool + " on node "
                            + nodeId + " cannot be read: " + file + ": " + e.getMessage() + "; nothing was restored and system " + into + " was not started");
                }
                if (!sha.equals(c.sha256())) {
                    String name = m == head() ? c.file() : m.backup() + "/" + c.file() + " (of backup " + m.backup() + ", which it is incremental on)";
                    throw new AcpException(ErrorCode.CONFLICT, "rule backup-checksum: backup " + head().backup() + " in pool " + pool + " on node " + nodeId
                            + " is corrupt: " + name + " has SHA-256 " + sha + " but its manifest says " + c.sha256()
                            + "; nothing was restored and system " + into + " was not started");
                }
            }
        }
    }

    /**
     * The image of disk {@code target} as qemu reads it: the head's file backed by its parent's and
     * so on, as a {@code json:} file name for qemu-img.
     */
    String image(String target) {
        ObjectNode top = null;
        ObjectNode below = null;
        for (BackupManifest m : links) {
            BackupManifest.DiskCopy c = m.disk(target).orElseThrow(() -> new AcpException(ErrorCode.CONFLICT, "rule backup-chain: backup " + m.backup()
                    + " in pool " + pool + " on node " + nodeId + " holds no copy of disk " + target + ", which backup " + head().backup() + " needs"));
            ObjectNode node = Json.object().put("driver", c.format());
            node.putObject("file").put("driver", "file").put("filename", backups.resolve(m.backup()).resolve(c.file()).toString());
            if (top == null) {
                top = node;
            } else {
                below.set("backing", node);
            }
            below = node;
        }
        if (below.path("driver").asText().equals("qcow2")) {
            below.putNull("backing"); // the full backup is the bottom of the chain, whatever its header says
        }
        return "json:" + top;
    }

    /**
     * Writes disk {@code target} of the chain into {@code to} in format {@code format} (through
     * {@code to.partial}, so a failure leaves {@code to} as it was). Blocks: on a worker.
     */
    void restoreDisk(String target, Path to, String format) {
        Path partial = to.resolveSibling(to.getFileName() + ".partial");
        try {
            HostCommand.QEMU_IMG.run(nodeId, "restore disk " + target + " from backup " + head().backup(),
                    List.of("convert", "-O", format, image(target), partial.toString()), HostCommand.LONG_TIMEOUT_SECONDS);
            Files.move(partial, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + to + " from backup " + head().backup() + " on node " + nodeId + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the failure that brought us here is the one reported
            }
        }
    }
}
