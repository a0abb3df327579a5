package io.acp.hypervisor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the hypervisor service. */
@ConfigMapping(prefix = "acp.hypervisor")
public interface HypervisorConfig {

    /** The libvirt connection URI: {@code test:///default} needs no daemon; real nodes use {@code qemu:///system}. */
    @WithDefault("test:///default")
    String uri();

    /**
     * How qemu runs guests: {@code auto} (KVM where this node has /dev/kvm, else TCG), {@code kvm}, or
     * {@code tcg} (emulated: slow, but it runs any guest anywhere). {@code tcg} is for a host whose
     * KVM cannot run a stock guest kernel, such as a nested KVM without hardware virtualization
     * (PVM), which runs only real-mode and PVM-built guests.
     */
    @WithDefault("auto")
    String accelerator();

    /** How often every system's domain is compared with its meta, to catch missed events and drift. */
    @WithDefault("10s")
    Duration reconcileInterval();

    /** How often running systems' stats are sampled. */
    @WithDefault("1s")
    Duration statsInterval();

    /**
     * The libvirt URI by which other nodes' libvirt reaches this node's for live migration, e.g.
     * {@code qemu+tcp://10.0.0.2/system}; without it this node accepts only offline migrations.
     */
    java.util.Optional<String> migrationUri();

    /**
     * Vouches that systems' disks are on storage every node sees at the same paths although libvirt
     * cannot tell (a directory on a local filesystem that the nodes share, as two libvirt daemons on
     * one machine do): live migrations from this node then pass libvirt's {@code VIR_MIGRATE_UNSAFE}.
     * libvirt recognises NFS, Ceph, GlusterFS and cluster filesystems itself. Wrong here, a migrated
     * guest's disk is corrupted.
     */
    @WithDefault("false")
    boolean migrationSharedStorage();

    /**
     * The longest the guest may stay paused at the end of a live migration from this node (QEMU's
     * {@code downtime-limit}): libvirt keeps copying memory until what is left fits into it. Set on
     * the domain with {@code virDomainMigrateSetMaxDowntime} just before the move (libvirt's migrate
     * parameters have no field for it). Unset: QEMU's default, 300 ms. Smaller makes the pause shorter
     * and a busy guest's migration longer (or never converging).
     */
    java.util.Optional<Duration> migrationMaxDowntime();

    /** How long a graceful shutdown may take before the domain is destroyed. */
    @WithDefault("30s")
    Duration shutdownTimeout();

    /**
     * Host paths (files, directories, block devices) a system's disk may name directly with
     * {@code path}; anything resolving (symlinks followed) outside them is refused. Unset: none,
     * every disk is a volume of an ACP pool. Only admins may write such disks.
     */
    java.util.Optional<java.util.List<java.nio.file.Path>> allowedDevicePaths();

    /**
     * Host bridges a system's interface may name directly with {@code bridge}. Unset: none, every
     * interface is on an ACP network. Only admins may write such interfaces.
     */
    java.util.Optional<java.util.List<String>> allowedBridges();
}
