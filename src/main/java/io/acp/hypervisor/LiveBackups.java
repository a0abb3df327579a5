package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Backups of running systems through libvirt's backup API (virDomainBackupBegin, push mode): the
 * VMM itself writes each writable qcow2 disk to a qcow2 file in the backup's directory while the
 * guest runs, and a checkpoint (a persistent dirty bitmap in each image) is defined at the same
 * instant. The first backup holds the disks in full; while the checkpoint of the newest backup in
 * the pool still exists, the next one is incremental on it and holds only the clusters written
 * since. When it is complete, the parent's checkpoint is deleted, so a disk carries one bitmap.
 * A backup that fails removes its directory and its checkpoint: the next one starts from the last
 * complete one. Blocks on the hypervisor's answers: runs on a worker.
 */
final class LiveBackups {

    /** How often the job is asked whether it finished: backups take seconds at least. */
    private static final Duration POLL = Duration.ofMillis(250);

    private final SystemContext ctx;

    LiveBackups(SystemContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Backs up running system {@code id} into directory {@code dir} (named {@code backup}) of pool
     * {@code pool}, incremental on {@code previous} where its checkpoint still exists.
     */
    ObjectNode backup(String id, String pool, Path dir, String backup, SystemSpec spec, SystemSpec resolved, Optional<BackupManifest> previous,
            Instant now) {
        List<Integer> writable = writableQcow2(id, resolved);
        List<String> targets = resolved.diskTargets();
        List<String> checkpoints = ctx.hv().call(b -> b.checkpointNames(id)).await().indefinitely();
        Optional<BackupManifest> parent = previous.filter(p -> p.checkpoint() != null && checkpoints.contains(p.checkpoint())
                && writable.stream().allMatch(i -> p.disk(targets.get(i)).isPresent()));
        String checkpoint = "acp." + backup;
        requireSpace(id, pool, dir, resolved, writable, parent.isPresent());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new AcpException(ErrorCode.INTERNAL, "cannot make backup directory " + dir + " in pool " + pool + " on node " + ctx.nodeId() + ": "
                    + e.getMessage());
        }
        String backupXml = backupXml(resolved, writable, dir, parent.map(BackupManifest::checkpoint));
        String checkpointXml = checkpointXml(checkpoint, resolved, writable);
        boolean begun = false;
        try {
            ctx.hv().run(b -> b.beginBackup(id, backupXml, checkpointXml)).await().indefinitely();
            begun = true;
            BackupJob job = awaitJob(id);
            if (job.phase() == BackupJob.Phase.FAILED) {
                throw new AcpException(ErrorCode.INTERNAL, "libvirt's backup job failed: " + job.error());
            }
            List<BackupManifest.DiskCopy> copies = new ArrayList<>();
            for (int i : writable) {
                String file = fileOf(targets.get(i));
                Path written = dir.resolve(file);
                if (!Files.isRegularFile(written)) {
                    throw new AcpException(ErrorCode.INTERNAL, "the backup job ended but wrote no " + written);
                }
                copies.add(new BackupManifest.DiskCopy(targets.get(i), resolved.disks().get(i).path(), file, "qcow2", Files.size(written),
                        BackupManifest.sha256Of(written)));
            }
            BackupManifest m = new BackupManifest(backup, id, ctx.nodeId(), now.toString(),
                    parent.isPresent() ? BackupManifest.Kind.INCREMENTAL : BackupManifest.Kind.FULL, parent.map(BackupManifest::backup).orElse(null),
                    checkpoint, spec.toJson(), List.copyOf(copies));
            Path partial = dir.resolve(BackupManifest.FILE + ".partial");
            Files.writeString(partial, m.toJson().toPrettyString());
            Files.move(partial, dir.resolve(BackupManifest.FILE), StandardCopyOption.ATOMIC_MOVE);
            parent.ifPresent(p -> deleteCheckpointQuietly(id, p.checkpoint())); // its bitmap is no base of anything now
            return m.toJson();
        } catch (IOException | RuntimeException e) {
            SystemBackups.removeQuietly(dir); // no half backup left behind to be taken for a whole one
            if (begun) {
                deleteCheckpointQuietly(id, checkpoint); // the next backup starts from the last complete one
            }
            String why = e instanceof AcpException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new AcpException(ErrorCode.INTERNAL, "backup of running system " + id + " to pool " + pool + " on node " + ctx.nodeId() + " failed: "
                    + why + "; the partial backup was removed", e);
        }
    }

    /** The indexes of the disks backed up; CONFLICT naming a writable disk that is not qcow2 (no dirty bitmap, no live backup). */
    private List<Integer> writableQcow2(String id, SystemSpec resolved) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < resolved.disks().size(); i++) {
            SystemSpec.Disk d = resolved.disks().get(i);
            if (d.readonly()) {
                continue;
            }
            if (!"qcow2".equals(d.format())) {
                throw new AcpException(ErrorCode.CONFLICT, "rule backup-running-qcow2: cannot back up running system " + id + " on node " + ctx.nodeId()
                        + ": its disk " + resolved.diskTargets().get(i) + " (" + d.path() + ") is " + d.format()
                        + ", and backups of running systems need qcow2 disks; stop the system to back it up by a plain copy");
            }
            out.add(i);
        }
        return out;
    }

    /** A full backup needs room for every disk's file as it is now; an incremental one's size is not known before, and a failure removes it. */
    private void requireSpace(String id, String pool, Path dir, SystemSpec resolved, List<Integer> writable, boolean incremental) {
        if (incremental) {
            return;
        }
        try {
            long needed = 0;
            for (int i : writable) {
                needed += Files.size(Path.of(resolved.disks().get(i).path()));
            }
            long free = Files.getFileStore(dir.getParent()).getUsableSpace();
            if (free < needed) {
                throw new AcpException(ErrorCode.CONFLICT, "rule backup-space: cannot back up system " + id + " to pool " + pool + " on node "
                        + ctx.nodeId() + ": the backup needs " + needed + " bytes and the pool has " + free + " free; nothing was written");
            }
        } catch (IOException e) {
            throw new AcpException(ErrorCode.INTERNAL, "cannot measure the disks of system " + id + " on node " + ctx.nodeId() + ": " + e.getMessage());
        }
    }

    private BackupJob awaitJob(String id) {
        while (true) {
            BackupJob job = ctx.hv().call(b -> b.backupJob(id)).await().indefinitely();
            if (job.phase() != BackupJob.Phase.RUNNING) {
                return job;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AcpException(ErrorCode.UNAVAILABLE, "the backup of system " + id + " on node " + ctx.nodeId()
                        + " was interrupted (service stopping)");
            }
        }
    }

    private void deleteCheckpointQuietly(String id, String checkpoint) {
        try {
            ctx.hv().run(b -> b.deleteCheckpoint(id, checkpoint)).await().indefinitely();
        } catch (RuntimeException gone) {
            // a checkpoint left behind costs a bitmap, and no later backup is based on it
        }
    }

    static String fileOf(String target) {
        return "disk-" + target + ".qcow2";
    }

    /** libvirt's {@code <domainbackup>}: push mode, every writable disk to a qcow2 file, incremental on {@code since} if given. */
    static String backupXml(SystemSpec resolved, List<Integer> writable, Path dir, Optional<String> since) {
        StringBuilder x = new StringBuilder("<domainbackup mode='push'>\n");
        since.ifPresent(c -> x.append("  <incremental>").append(DomainXml.escape(c)).append("</incremental>\n"));
        x.append("  <disks>\n");
        List<String> targets = resolved.diskTargets();
        for (int i = 0; i < targets.size(); i++) {
            String name = DomainXml.escape(targets.get(i));
            if (writable.contains(i)) {
                x.append("    <disk name='").append(name).append("' backup='yes' type='file'>\n      <target file='")
                        .append(DomainXml.escape(dir.resolve(fileOf(targets.get(i))).toString())).append("'/>\n      <driver type='qcow2'/>\n    </disk>\n");
            } else {
                x.append("    <disk name='").append(name).append("' backup='no'/>\n");
            }
        }
        return x.append("  </disks>\n</domainbackup>\n").toString();
    }

    /** libvirt's {@code <domaincheckpoint>}: a dirty bitmap on every disk backed up. */
    static String checkpointXml(String name, SystemSpec resolved, List<Integer> writable) {
        StringBuilder x = new StringBuilder("<domaincheckpoint>\n  <name>").append(DomainXml.escape(name)).append("</name>\n  <disks>\n");
        List<String> targets = resolved.diskTargets();
        for (int i = 0; i < targets.size(); i++) {
            x.append("    <disk name='").append(DomainXml.escape(targets.get(i))).append("' checkpoint='")
                    .append(writable.contains(i) ? "bitmap" : "no").append("'/>\n");
        }
        return x.append("  </disks>\n</domaincheckpoint>\n").toString();
    }
}
