package io.acp.storage.share;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.protocol.AcpException;
import io.acp.storage.common.CommandRunner;
import io.acp.storage.common.MountTable;
import io.acp.storage.common.Probes;
import io.acp.storage.common.Reports;
import io.acp.storage.common.StorageSettings;
import io.acp.storage.common.Usage;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Network shares (NFS, SMB) mounted at {@code <mount-dir>/<id>}. Meta: {@code mounted} (with
 * {@code path}), {@code unmounted} (not mounted now; the next reconcile mounts it again) or
 * {@code failed} (the last mount failed; {@code problem} has mount's message). Stats while mounted:
 * {@code capacity, allocation, free, usedPercent}. Whatever is mounted at the mount point counts:
 * a share an operator mounted there by hand is adopted.
 */
public final class Shares {

    private final Reports reports;
    private final Probes probes;
    private final StorageSettings settings;
    /** Last mount failure per share, kept until a mount succeeds. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private volatile MountTable mounts = new MountTable(List.of());

    public Shares(Reports reports, Probes probes, StorageSettings settings) {
        this.reports = reports;
        this.probes = probes;
        this.settings = settings;
    }

    public Path mountPoint(String id) {
        return StorageSettings.confined("share " + id + " mount point", settings.mountDir().resolve(id), settings.mountDir());
    }

    /** Whether the last read of the mount table had something mounted at the share's mount point. */
    public boolean isMounted(String id) {
        return mounts.at(mountPoint(id)).isPresent();
    }

    List<ShareSpec> specs() {
        return reports.specs("share", ShareSpec::parse, "failed").stream().filter(s -> s.runsOn(reports.nodeId())).toList();
    }

    /** Reads the mount table (never blocks on a mount: it is a procfs file). */
    Uni<MountTable> readMounts() {
        return probes.call("mountinfo", "the mount table of node " + reports.nodeId(), settings.probeTimeout(),
                () -> MountTable.read(settings.procRoot().resolve("self/mountinfo"))).invoke(t -> mounts = t);
    }

    /** Mounts every share of this node that is not mounted; answers how many were mounted now. */
    public Uni<Integer> reconcile() {
        return readMounts().chain(t -> {
            List<Uni<Boolean>> work = new ArrayList<>();
            for (ShareSpec s : specs()) {
                if (!isMounted(s.id())) {
                    work.add(mount(s).replaceWith(true).onFailure().recoverWithItem(false));
                }
            }
            return Reports.countTrue(work);
        });
    }

    /** Mounts one share now; on failure its meta is {@code failed} with mount's message and the Uni fails. */
    public Uni<Void> mount(ShareSpec s) {
        Path target;
        List<String> cmd;
        try {
            target = mountPoint(s.id());
            cmd = command(s, target);
        } catch (AcpException refused) {
            failures.put(s.id(), refused.getMessage());
            reports.problem(Reports.key(s.id()), "failed", refused.getMessage(), Json.object());
            return Uni.createFrom().failure(refused);
        }
        return probes.call("mount:" + s.id(), "mounting share " + s.id() + " on node " + reports.nodeId(), settings.commandTimeout(), () -> {
            if (MountTable.read(settings.procRoot().resolve("self/mountinfo")).at(target).isPresent()) {
                return null; // mounted already (by an earlier run, or by hand): adopted
            }
            Files.createDirectories(target);
            CommandRunner.Result r = settings.commands().exec(cmd);
            if (r.exitCode() != 0) {
                throw new AcpException(io.acp.protocol.ErrorCode.UNAVAILABLE, "cannot mount " + s.protocol() + " share " + s.id() + " (" + s.source()
                        + ") at " + target + " on node " + reports.nodeId() + ": " + CommandRunner.firstLines(r));
            }
            return null;
        }).onFailure().invoke(f -> {
            failures.put(s.id(), f.getMessage());
            reports.problem(Reports.key(s.id()), "failed", f.getMessage(), path(s.id()));
        }).chain(() -> readMounts()).invoke(() -> failures.remove(s.id())).chain(() -> sample(s)).replaceWithVoid();
    }

    /**
     * The mount command of a share: privileged options only if this node lists them
     * (acp.storage.privileged-share-options), and nosuid,nodev,noexec unless they are turned on.
     */
    private List<String> command(ShareSpec s, Path target) {
        List<String> names = ShareOptions.names(s.options());
        for (String p : ShareOptions.privileged(s.options())) {
            if (!settings.privilegedShareOptions().contains(p)) {
                throw new AcpException(io.acp.protocol.ErrorCode.FORBIDDEN, "share " + s.id() + ": mount option '" + p + "' is privileged and node " + reports.nodeId()
                        + " does not list it in acp.storage.privileged-share-options (rule share-options)");
            }
        }
        List<String> cmd = new ArrayList<>(List.of("mount", "-t", s.fsType(), "-o", ShareOptions.effective(s.options(), names)));
        cmd.addAll(List.of(s.source(), target.toString()));
        return cmd;
    }

    /** Unmounts a share (lazily if a normal unmount fails or hangs, so a dead server cannot block it) and removes its mount point. */
    public Uni<Void> unmount(String id) {
        Path target = mountPoint(id);
        return probes.call("mount:" + id, "unmounting share " + id + " on node " + reports.nodeId(), settings.commandTimeout(), () -> {
            if (MountTable.read(settings.procRoot().resolve("self/mountinfo")).at(target).isPresent()) {
                if (!unmounted(target)) {
                    settings.commands().run(List.of("umount", "-l", target.toString()));
                }
            }
            try {
                Files.deleteIfExists(target);
            } catch (IOException e) {
                // a non-empty directory under the mount dir is left for the operator
            }
            failures.remove(id);
            return null;
        });
    }

    /** A normal unmount, given the probe timeout; false if it failed or hung (a dead server), so the caller detaches it lazily. */
    private boolean unmounted(Path target) {
        try {
            return new CommandRunner(settings.probeTimeout()).exec(List.of("umount", target.toString())).exitCode() == 0;
        } catch (AcpException timedOut) {
            return false;
        }
    }

    /** Samples every share of this node; answers how many are mounted. */
    public Uni<Integer> sample() {
        return readMounts().chain(t -> {
            List<Uni<Boolean>> work = new ArrayList<>();
            specs().forEach(s -> work.add(sample(s)));
            return Reports.countTrue(work);
        });
    }

    private Uni<Boolean> sample(ShareSpec s) {
        ObjectKey key = Reports.key(s.id());
        if (!isMounted(s.id())) {
            String failure = failures.get(s.id());
            if (failure != null) {
                reports.problem(key, "failed", failure, path(s.id()));
            } else {
                reports.problem(key, "unmounted", "share " + s.id() + " is not mounted at " + mountPoint(s.id()) + " on node " + reports.nodeId()
                        + "; the next reconcile mounts it", path(s.id()));
            }
            return Uni.createFrom().item(false);
        }
        return probes.call("share:" + s.id(), "statvfs of share " + s.id() + " at " + mountPoint(s.id()) + " on node " + reports.nodeId(),
                settings.probeTimeout(), () -> Usage.ofFileStore(mountPoint(s.id()))).map(u -> {
                    reports.stats(key, u.stats());
                    ObjectNode meta = Json.object();
                    meta.put("state", "mounted");
                    meta.setAll(path(s.id()));
                    String usage = u.state(settings.nearFullPercent(), settings.fullPercent());
                    meta.put("usage", usage);
                    String problem = u.problem("share " + s.id() + " on node " + reports.nodeId(), usage);
                    if (problem != null) {
                        meta.put("problem", problem);
                    }
                    reports.meta(key, meta);
                    return true;
                }).onFailure().recoverWithItem(f -> {
                    // mounted but not answering: a hung server; unless another sample of it is merely still running
                    if (!Probes.overlapped(f)) {
                        reports.problem(key, "failed", f.getMessage(), path(s.id()));
                    }
                    return false;
                });
    }

    private ObjectNode path(String id) {
        ObjectNode o = Json.object();
        o.put("path", mountPoint(id).toString());
        return o;
    }
}
