package io.acp.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the storage service: devices, pools, shares and how long their probes may take. */
@ConfigMapping(prefix = "acp.storage")
public interface StorageConfig {

    /** Id of the directory pool every node creates at start under {@code <data-dir>/pools/<id>}; {@code none}: no default pool. */
    @WithDefault("default")
    String defaultPool();

    /** Directories under which dir pools may be placed (besides {@code <data-dir>/pools}); checked after following symlinks. */
    Optional<List<Path>> allowedRoots();

    /**
     * Privileged mount options (bind, remount, suid, dev, exec, ...) this node lets an admin-written
     * share use; unset: none. Operators can never write them.
     */
    Optional<List<String>> privilegedShareOptions();

    /** Where shares are mounted ({@code <dir>/<share id>}); unset: {@code <data-dir>/shares}. */
    Optional<Path> mountDir();

    /** A pool or share at or above this used percentage is {@code nearFull}. */
    @WithDefault("90")
    int nearFullPercent();

    /** At or above this used percentage (or with no byte free) a pool or share is {@code full}. */
    @WithDefault("98")
    int fullPercent();

    /** How often device I/O, pool and share capacity are sampled. */
    @WithDefault("1s")
    Duration statsInterval();

    /** How often devices are rediscovered, pools realised and lost shares mounted again. */
    @WithDefault("10s")
    Duration reconcileInterval();

    /** Longest wait for one probe (statvfs of a pool or share, an LVM report); a hung mount is reported, never waited for. */
    @WithDefault("3s")
    Duration probeTimeout();

    /** Longest wait for a changing command (mount, lvcreate, qemu-img); the process is killed after it. */
    @WithDefault("60s")
    Duration commandTimeout();

    /** The libvirt connection of {@code libvirt} pools ({@code test:///default} for tests: libvirt's in-process driver). */
    @WithDefault("qemu:///system")
    String libvirtUri();

    /** LVM settings. */
    Lvm lvm();

    interface Lvm {
        /**
         * Activate logical volumes (the normal case). {@code false} runs LVM with activation
         * disabled: volumes change in the VG's metadata only (kernels without device-mapper, tests).
         */
        @WithDefault("true")
        boolean activation();
    }
}
