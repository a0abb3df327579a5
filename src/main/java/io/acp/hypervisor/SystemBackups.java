package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.acp.model.Progress;
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
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Backups into a storage pool of this node, and restores from them. A backup is a directory
 * {@code <pool path>/.acp-backups/<backup>} holding a file per writable disk and, written last,
 * {@link BackupManifest} with each file's SHA-256: a backup that fails half-way is removed, so no
 * directory without its manifest is ever taken for one. A stopped system's disks are copied as they
 * are; a running system's are written by its VMM through libvirt's backup API ({@link LiveBackups}),
 * in full the first time and incrementally after. A restore checks every checksum of the backup's
 * chain ({@link BackupChain}) before it writes anything back, then starts the system.
 *
 * <p>Copies run on a worker thread, not on the hypervisor's (which they would hold for minutes) and
 * never on an event loop.
 */
final class SystemBackups {

    static final String DIR = ".acp-backups";
    /** The operation whose task shows a backup's progress. */
    static final String OP = "hypervisor.backup";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final SystemContext ctx;
    private final Assignment assignment;
    private final Function<String, Uni<ObjectNode>> start;
    private final Clock clock;

    private final LiveBackups live;

    SystemBackups(SystemContext ctx, Assignment assignment, Function<String, Uni<ObjectNode>> start, Clock clock) {
        this.ctx = ctx;
        this.live = new LiveBackups(ctx);
        this.assignment = assignment;
        this.start = start;
        this.clock = clock;
    }

    /**
     * Backs up the system's writable disks into pool {@code pool}: a plain copy if it is stopped, else
     * through libvirt's backup API, incremental on the newest backup in the pool where it can be.
     * Answers the manifest and the backup's path.
     */
    Uni<ObjectNode> backup(String id, String pool) {
        SystemSpec spec = ctx.specOf(id);
        assignment.requireHere(spec, "back up");
        Path root = poolRoot(pool);
        SystemSpec resolved = DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
        return ctx.hv().call(b -> b.status(id))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(status -> status.isPresent() && active(status.get().state())
                        ? liveBackup(id, pool, root, spec, resolved)
                        : copyOut(id, pool, root, spec, resolved));
    }

    static boolean active(SystemState state) {
        return state != SystemState.STOPPED && state != SystemState.FAILED;
    }

    private ObjectNode liveBackup(String id, String pool, Path root, SystemSpec spec, SystemSpec resolved) {
        Instant now = clock.instant();
        String backup = id + "." + STAMP.format(now);
        Path dir = root.resolve(DIR).resolve(backup);
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare backup " + backup + " in pool " + pool + " on node " + ctx.nodeId() + ": " + e.getMessage(), e);
        }
        if (Files.exists(dir)) {
            throw new AcpException(ErrorCode.CONFLICT, "rule backup-name-taken: backup " + backup + " exists in pool " + pool + "; try again in a second");
        }
        List<Kept> kept = kept(id, pool);
        Optional<BackupManifest> previous = Optional.empty();
        if (!kept.isEmpty()) {
            try {
                previous = Optional.of(BackupManifest.read(root.resolve(DIR).resolve(kept.get(kept.size() - 1).backup())));
            } catch (IOException | RuntimeException unreadable) {
                // then this one is a full backup
            }
        }
        ObjectNode o = live.backup(id, pool, dir, backup, spec, resolved, previous, now);
        o.put("pool", pool).put("path", dir.toString());
        return o;
    }

    /** Verifies every checksum of backup {@code backup} in pool {@code pool}, copies the disks back, and starts the system. */
    Uni<ObjectNode> restore(String id, String pool, String backup) {
        return restore(id, pool, backup, null);
    }

    /**
     * As {@link #restore(String, String, String)}; with {@code as}, the backup of system {@code id}
     * becomes a new system {@code as} on this node beside the original ({@link SpecCopy}: its own
     * volumes, new MACs and UUID), refused if {@code as} exists or a volume it needs does. Without
     * {@code as}, a system whose object is gone (deleted, or its node lost with it) is recreated here
     * from the manifest's spec; one assigned to another node is refused (restore it there, or {@code --as}).
     */
    Uni<ObjectNode> restore(String id, String pool, String backup, String as) {
        Path dir = backupDir(poolRoot(pool), pool, backup);
        Optional<ObjectEntry> existing = ctx.cdb().object(SystemReports.key(SystemContext.checkedId(id)));
        if (as == null && existing.isPresent()) {
            SystemSpec spec = SystemSpec.parse(id, existing.get().spec());
            if (spec.node() != null && !spec.node().equals(ctx.nodeId())) {
                throw new AcpException(ErrorCode.CONFLICT, "rule restore-elsewhere: cannot restore system " + id + " on node " + ctx.nodeId()
                        + ": it is assigned to node " + spec.node() + "; restore it there, restore it here under a new name (--as), or delete it first");
            }
            assignment.requireHere(spec, "restore");
            SystemSpec resolved = DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
            return requireStopped(id, "restore")
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(stopped -> copyIn(id, pool, backup, dir, resolved, false, new ArrayList<>()))
                    .chain(manifest -> started(id, backup));
        }
        String newId = as == null ? id : SystemContext.checkedId(as);
        if (as != null && ctx.cdb().object(SystemReports.key(newId)).isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "rule restore-name-taken: cannot restore backup " + backup + " as system " + newId
                    + ": a system of that id exists; choose another name");
        }
        return Uni.createFrom().item(() -> manifest(dir, pool, backup))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(m -> placedCopy(m, id, newId))
                .chain(spec -> recreate(id, spec, pool, backup, dir));
    }

    /** The spec of the restored system: the manifest's, renamed for {@code --as}, assigned to this node. */
    private SystemSpec placedCopy(BackupManifest m, String id, String newId) {
        if (!m.system().equals(id)) {
            throw AcpException.badRequest("backup " + m.backup() + " is of system " + m.system() + ", not of system " + id);
        }
        SystemSpec original = SystemSpec.parse(id, m.spec());
        SystemSpec copy = newId.equals(id) ? original : SpecCopy.of(original, newId);
        return copy.withNode(ctx.nodeId());
    }

    /**
     * Copies the disks of backup {@code backup} of system {@code original} into the volumes of
     * {@code spec}, stores its object and starts it; removes what it wrote if a step fails.
     */
    private Uni<ObjectNode> recreate(String original, SystemSpec spec, String pool, String backup, Path dir) {
        String id = spec.id();
        SystemSpec resolved = DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
        boolean copy = !id.equals(original);
        List<Path> written = new ArrayList<>();
        return Uni.createFrom().item(() -> copyIn(original, pool, backup, dir, resolved, copy, written))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(m -> ctx.cdb().writer().putObject(SystemReports.key(id), null, spec.toJson(), Cdb.ABSENT))
                .chain(stored -> started(id, backup)
                        .onFailure().call(f -> ctx.cdb().writer().deleteObject(SystemReports.key(id)).onFailure().recoverWithNull()))
                .onFailure().invoke(f -> {
                    if (copy) {
                        written.forEach(SystemBackups::deleteQuietly);
                    }
                });
    }

    private Uni<ObjectNode> started(String id, String backup) {
        return start.apply(id).map(report -> {
            report.put("restored", true).put("backup", backup);
            return report;
        });
    }

    private ObjectNode copyOut(String id, String pool, Path root, SystemSpec spec, SystemSpec resolved) {
        String backup = id + "." + STAMP.format(clock.instant());
        Path dir = root.resolve(DIR).resolve(backup);
        if (Files.exists(dir)) {
            throw new AcpException(ErrorCode.CONFLICT, "rule backup-name-taken: backup " + backup + " exists in pool " + pool + "; try again in a second");
        }
        List<SystemSpec.Disk> disks = resolved.disks();
        List<String> targets = resolved.diskTargets();
        long needed = 0;
        try {
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
            long all = needed;
            long before = 0; // bytes of the disks already copied, for the task's progress
            for (int i = 0; i < disks.size(); i++) {
                SystemSpec.Disk d = disks.get(i);
                if (d.readonly()) {
                    continue;
                }
                String file = "disk-" + targets.get(i) + "." + d.format();
                long base = before;
                String phase = "copying disk " + targets.get(i);
                String sha = BackupManifest.copy(Path.of(d.path()), dir.resolve(file),
                        n -> ctx.progress().system(OP, id, new Progress(base + n, Math.max(all, base + n), "bytes", phase)));
                before += Files.size(dir.resolve(file));
                copies.add(new BackupManifest.DiskCopy(targets.get(i), d.path(), file, d.format(), Files.size(dir.resolve(file)), sha));
            }
            BackupManifest m = new BackupManifest(backup, id, ctx.nodeId(), Instant.now(clock).toString(), BackupManifest.Kind.COPY, null, null,
                    spec.toJson(), List.copyOf(copies));
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

    private BackupManifest manifest(Path dir, String pool, String backup) {
        try {
            return BackupManifest.read(dir);
        } catch (IOException e) {
            throw new AcpException(ErrorCode.NOT_FOUND, "pool " + pool + " on node " + ctx.nodeId() + " has no complete backup " + backup
                    + " (no readable " + BackupManifest.FILE + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Checks every checksum, then copies the backup's disks of system {@code id} to the disks of
     * {@code resolved} (the same targets), recording each file it writes in {@code written}. With
     * {@code newFiles}, a destination that exists is refused before anything is copied.
     */
    private BackupManifest copyIn(String id, String pool, String backup, Path dir, SystemSpec resolved, boolean newFiles, List<Path> written) {
        BackupChain chain = BackupChain.of(dir.getParent(), pool, ctx.nodeId(), backup);
        BackupManifest m = chain.head();
        if (!m.system().equals(id)) {
            throw AcpException.badRequest("backup " + backup + " is of system " + m.system() + ", not of system " + id);
        }
        String into = resolved.id();
        List<String> targets = resolved.diskTargets();
        List<Path> destinations = new ArrayList<>();
        for (BackupManifest.DiskCopy c : m.disks()) {
            int i = targets.indexOf(c.target());
            if (i < 0 || resolved.disks().get(i).readonly()) {
                throw AcpException.badRequest("backup " + backup + " holds disk " + c.target() + ", which system " + into + " no longer has writable");
            }
            Path to = Path.of(resolved.disks().get(i).path());
            if (newFiles && Files.exists(to)) {
                throw new AcpException(ErrorCode.CONFLICT, "rule restore-volume-exists: cannot restore backup " + backup + " as system " + into
                        + " on node " + ctx.nodeId() + ": its disk " + c.target() + " would be " + to + ", which exists; nothing was restored");
            }
            destinations.add(to);
        }
        chain.verify(into); // every checksum of every link first: a corrupt backup restores nothing
        try {
            for (int i = 0; i < m.disks().size(); i++) {
                BackupManifest.DiskCopy c = m.disks().get(i);
                written.add(destinations.get(i));
                if (m.kind() == BackupManifest.Kind.COPY) {
                    BackupManifest.copy(dir.resolve(c.file()), destinations.get(i));
                } else {
                    chain.restoreDisk(c.target(), destinations.get(i), resolved.disks().get(targets.indexOf(c.target())).format());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("restore of system " + into + " from backup " + backup + " on node " + ctx.nodeId() + " failed: " + e.getMessage(), e);
        }
        return m;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException gone) {
            // best effort: the error that made us undo is the one reported
        }
    }

    /**
     * The backups of system {@code id} in pool {@code pool}, or in every pool this node reaches when
     * {@code pool} is null, oldest first: each complete one with its manifest's kind, parent, time,
     * disks and bytes; a directory without a manifest (a backup being written, or one a crash cut
     * off) as {@code complete: false}, so an operator sees it and never restores it. The system need
     * not exist any more: its backups outlive it. Reads files: on a worker.
     */
    Uni<ObjectNode> list(String id, String pool) {
        String system = SystemContext.checkedId(id);
        return Uni.createFrom().item(() -> listed(system, pool))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private ObjectNode listed(String id, String pool) {
        List<String> pools = pool != null ? List.of(pool) : reachablePools();
        List<ObjectNode> found = new ArrayList<>();
        for (String p : pools) {
            Path dir = poolRoot(p).resolve(DIR);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path b : s.sorted().toList()) {
                    listedBackup(id, p, b).ifPresent(found::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the backups of system " + id + " in pool " + p + " on node " + ctx.nodeId() + ": "
                        + e.getMessage(), e);
            }
        }
        found.sort(Comparator.comparing((ObjectNode o) -> o.path("createdAt").asText()).thenComparing(o -> o.path("backup").asText()));
        ObjectNode out = io.acp.model.Json.object().put("system", id).put("node", ctx.nodeId());
        out.putArray("backups").addAll(found);
        return out;
    }

    /** One entry of {@link #list}: {@code dir} if it is a backup of system {@code id}. */
    private Optional<ObjectNode> listedBackup(String id, String pool, Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(id + ".") || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Instant stamp;
        try {
            stamp = STAMP.parse(name.substring(id.length() + 1), Instant::from);
        } catch (java.time.format.DateTimeParseException notOurs) {
            return Optional.empty(); // another system's id that starts with this one's and a dot
        }
        ObjectNode o = io.acp.model.Json.object().put("backup", name).put("pool", pool);
        if (!Files.isRegularFile(dir.resolve(BackupManifest.FILE))) {
            return Optional.of(o.put("createdAt", stamp.toString()).put("complete", false));
        }
        try {
            BackupManifest m = BackupManifest.read(dir);
            long bytes = m.disks().stream().mapToLong(BackupManifest.DiskCopy::bytes).sum();
            o.put("createdAt", m.createdAt()).put("complete", true).put("kind", m.kind().wireName()).put("parent", m.parent())
                    .put("node", m.node()).put("bytes", bytes).put("disks", m.disks().size());
        } catch (IOException | RuntimeException unreadable) {
            o.put("createdAt", stamp.toString()).put("complete", false).put("problem", "manifest unreadable: " + unreadable.getMessage());
        }
        return Optional.of(o);
    }

    /** The storage this node reports usable with a path: where {@link #list} looks when no pool is named. */
    private List<String> reachablePools() {
        List<String> out = new ArrayList<>();
        for (ObjectEntry e : ctx.cdb().objects(io.acp.cluster.ObjectQuery.ofType(ObjectType.STORAGE))) {
            JsonNode meta = DeviceSources.meta(ctx.cdb(), ObjectType.STORAGE, e.id(), ctx.nodeId());
            String state = meta == null ? null : meta.path("state").asText(null);
            String path = meta == null ? null : meta.path("path").asText("");
            if (("ok".equals(state) || "nearFull".equals(state)) && !path.isBlank()) {
                out.add(e.id());
            }
        }
        return out;
    }

    /** One complete backup of a system kept in a pool. */
    record Kept(String backup, Instant createdAt) {
    }

    /** The complete backups (with a manifest) of system {@code id} in pool {@code pool}, oldest first. Blocks: on a worker. */
    List<Kept> kept(String id, String pool) {
        Path dir = poolRoot(pool).resolve(DIR);
        List<Kept> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(id + ".") && Files.isRegularFile(p.resolve(BackupManifest.FILE))) {
                    try {
                        out.add(new Kept(name, STAMP.parse(name.substring(id.length() + 1), Instant::from)));
                    } catch (java.time.format.DateTimeParseException notOurs) {
                        // another system's id that starts with this one's and a dot
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the backups of system " + id + " in pool " + pool + " on node " + ctx.nodeId() + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(Kept::createdAt));
        return out;
    }

    /**
     * Removes the backups of system {@code id} in pool {@code pool} that {@code retention} does not
     * keep, except those a kept incremental backup is built on; answers their names.
     */
    List<String> prune(String id, String pool, BackupRetention retention) {
        List<Kept> all = kept(id, pool);
        java.util.Set<Instant> keep = retention.keep(all.stream().map(Kept::createdAt).toList());
        Path backups = poolRoot(pool).resolve(DIR);
        java.util.Set<String> needed = new java.util.HashSet<>();
        for (Kept k : all) {
            if (keep.contains(k.createdAt())) {
                try {
                    BackupChain.of(backups, pool, ctx.nodeId(), k.backup()).links().forEach(m -> needed.add(m.backup()));
                } catch (AcpException broken) {
                    needed.add(k.backup()); // a broken chain is kept as it is, for the operator to look at
                }
            }
        }
        List<String> removed = new ArrayList<>();
        for (Kept k : all) {
            if (needed.contains(k.backup())) {
                continue;
            }
            Path dir = backups.resolve(k.backup());
            try {
                Files.delete(dir.resolve(BackupManifest.FILE)); // first: a half-removed backup is no backup
            } catch (IOException e) {
                continue;
            }
            removeQuietly(dir);
            removed.add(k.backup());
        }
        return removed;
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

    static void removeQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException gone) {
            // nothing left to remove
        }
    }
}
