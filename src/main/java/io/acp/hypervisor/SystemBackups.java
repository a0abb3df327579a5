package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Full backups of stopped systems into a storage pool of this node, and restores from them. A
 * backup is a directory {@code <pool path>/.acp-backups/<backup>} holding a copy of every writable
 * disk and, written last, {@link BackupManifest} with each copy's SHA-256: a backup that fails
 * half-way is removed, so no directory without its manifest is ever taken for one. A restore checks
 * every checksum before it copies anything back, then starts the system.
 *
 * <p>Copies run on a worker thread, not on the hypervisor's (which they would hold for minutes) and
 * never on an event loop.
 */
final class SystemBackups {

    static final String DIR = ".acp-backups";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final SystemContext ctx;
    private final Assignment assignment;
    private final Function<String, Uni<ObjectNode>> start;
    private final Clock clock;

    SystemBackups(SystemContext ctx, Assignment assignment, Function<String, Uni<ObjectNode>> start, Clock clock) {
        this.ctx = ctx;
        this.assignment = assignment;
        this.start = start;
        this.clock = clock;
    }

    /** Copies the stopped system's writable disks into pool {@code pool}; answers the manifest and the backup's path. */
    Uni<ObjectNode> backup(String id, String pool) {
        SystemSpec spec = ctx.specOf(id);
        assignment.requireHere(spec, "back up");
        Path root = poolRoot(pool);
        SystemSpec resolved = DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
        return requireStopped(id, "back up")
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(stopped -> copyOut(id, pool, root, spec, resolved));
    }

    /** Verifies every checksum of backup {@code backup} in pool {@code pool}, copies the disks back, and starts the system. */
    Uni<ObjectNode> restore(String id, String pool, String backup) {
        SystemSpec spec = ctx.specOf(id);
        assignment.requireHere(spec, "restore");
        Path dir = backupDir(poolRoot(pool), pool, backup);
        SystemSpec resolved = DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
        return requireStopped(id, "restore")
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(stopped -> copyIn(id, pool, backup, dir, resolved))
                .chain(manifest -> start.apply(id).map(report -> {
                    report.put("restored", true).put("backup", backup);
                    return report;
                }));
    }

    private ObjectNode copyOut(String id, String pool, Path root, SystemSpec spec, SystemSpec resolved) {
        String backup = id + "." + STAMP.format(clock.instant());
        Path dir = root.resolve(DIR).resolve(backup);
        List<SystemSpec.Disk> disks = resolved.disks();
        List<String> targets = resolved.diskTargets();
        try {
            long needed = 0;
            for (SystemSpec.Disk d : disks) {
                needed += d.readonly() ? 0 : Files.size(Path.of(d.path()));
            }
            Files.createDirectories(dir.getParent());
            long free = Files.getFileStore(dir.getParent()).getUsableSpace();
            if (free < needed) {
                throw new AcpException(ErrorCode.CONFLICT, "rule backup-space: cannot back up system " + id + " to pool " + pool + " on node "
                        + ctx.nodeId() + ": the backup needs " + needed + " bytes and the pool has " + free + " free; nothing was written");
            }
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare backup " + backup + " in pool " + pool + " on node " + ctx.nodeId() + ": " + e.getMessage(), e);
        }
        try {
            List<BackupManifest.DiskCopy> copies = new ArrayList<>();
            for (int i = 0; i < disks.size(); i++) {
                SystemSpec.Disk d = disks.get(i);
                if (d.readonly()) {
                    continue;
                }
                String file = "disk-" + targets.get(i) + "." + d.format();
                String sha = BackupManifest.copy(Path.of(d.path()), dir.resolve(file));
                copies.add(new BackupManifest.DiskCopy(targets.get(i), d.path(), file, d.format(), Files.size(dir.resolve(file)), sha));
            }
            BackupManifest m = new BackupManifest(backup, id, ctx.nodeId(), Instant.now(clock).toString(), spec.toJson(), List.copyOf(copies));
            Path partial = dir.resolve(BackupManifest.FILE + ".partial");
            Files.writeString(partial, m.toJson().toPrettyString());
            Files.move(partial, dir.resolve(BackupManifest.FILE), StandardCopyOption.ATOMIC_MOVE);
            ObjectNode o = m.toJson();
            o.put("pool", pool).put("path", dir.toString());
            return o;
        } catch (IOException | RuntimeException e) {
            removeQuietly(dir); // no half backup left behind to be taken for a whole one
            String why = e instanceof AcpException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new AcpException(ErrorCode.INTERNAL, "backup of system " + id + " to pool " + pool + " on node " + ctx.nodeId() + " failed: " + why
                    + "; the partial backup was removed", e);
        }
    }

    private BackupManifest copyIn(String id, String pool, String backup, Path dir, SystemSpec resolved) {
        BackupManifest m;
        try {
            m = BackupManifest.read(dir);
        } catch (IOException e) {
            throw new AcpException(ErrorCode.NOT_FOUND, "pool " + pool + " on node " + ctx.nodeId() + " has no complete backup " + backup
                    + " (no readable " + BackupManifest.FILE + ": " + e.getMessage() + ")");
        }
        if (!m.system().equals(id)) {
            throw AcpException.badRequest("backup " + backup + " is of system " + m.system() + ", not of system " + id);
        }
        List<String> targets = resolved.diskTargets();
        List<Path> destinations = new ArrayList<>();
        for (BackupManifest.DiskCopy c : m.disks()) {
            int i = targets.indexOf(c.target());
            if (i < 0 || resolved.disks().get(i).readonly()) {
                throw AcpException.badRequest("backup " + backup + " holds disk " + c.target() + ", which system " + id + " no longer has writable");
            }
            destinations.add(Path.of(resolved.disks().get(i).path()));
        }
        try {
            for (BackupManifest.DiskCopy c : m.disks()) { // every checksum first: a corrupt backup restores nothing
                String sha = BackupManifest.sha256Of(dir.resolve(c.file()));
                if (!sha.equals(c.sha256())) {
                    throw new AcpException(ErrorCode.CONFLICT, "rule backup-checksum: backup " + backup + " in pool " + pool + " on node " + ctx.nodeId()
                            + " is corrupt: " + c.file() + " has SHA-256 " + sha + " but its manifest says " + c.sha256()
                            + "; nothing was restored and system " + id + " was not started");
                }
            }
            for (int i = 0; i < m.disks().size(); i++) {
                BackupManifest.copy(dir.resolve(m.disks().get(i).file()), destinations.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("restore of system " + id + " from backup " + backup + " on node " + ctx.nodeId() + " failed: " + e.getMessage(), e);
        }
        return m;
    }

    private Uni<Boolean> requireStopped(String id, String op) {
        return ctx.hv().call(b -> b.status(id)).map(s -> {
            if (s.isPresent() && s.get().state() != SystemState.STOPPED && s.get().state() != SystemState.FAILED) {
                throw new AcpException(ErrorCode.CONFLICT, "rule backup-stopped: cannot " + op + " system " + id + ": it is " + s.get().state().wireName()
                        + " on node " + ctx.nodeId() + "; shut it down first (backups copy the disks of a stopped system)");
            }
            return true;
        });
    }

    private Path poolRoot(String pool) {
        JsonNode meta = DeviceSources.meta(ctx.cdb(), ObjectType.STORAGE, pool, ctx.nodeId());
        String state = meta == null ? null : meta.path("state").asText(null);
        String path = meta == null ? null : meta.path("path").asText(null);
        if (!"ok".equals(state) && !"nearFull".equals(state) || path == null || path.isBlank()) {
            throw new AcpException(ErrorCode.CONFLICT, "backup target pool " + pool + " is not usable on node " + ctx.nodeId()
                    + (meta == null ? " (this node reports nothing about it)" : " (state " + state + ")"));
        }
        return Path.of(path);
    }

    private Path backupDir(Path root, String pool, String backup) {
        if (backup == null || !backup.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}") || backup.contains("..")) {
            throw AcpException.badRequest("backup name '" + backup + "' is not one ACP made (system id, '.', time stamp)");
        }
        return root.resolve(DIR).resolve(backup);
    }

    private static void removeQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException gone) {
            // nothing left to remove
        }
    }
}
