package io.acp.hypervisor;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The hypervisor of this node, domain by domain. Every method blocks, so the service calls them
 * only on its one hypervisor thread, never on an event loop. Failures are
 * {@link io.acp.protocol.AcpException}s: {@code unavailable} when the hypervisor cannot be reached,
 * {@code internal} when it refuses an operation.
 */
public interface HypervisorBackend extends AutoCloseable {

    /** Connects if not connected; events go to {@code events} (domain name, event) from then on. */
    void connect(BiConsumer<String, DomainEventKind> events);

    /** The domain's current status, or empty if no domain of that name is defined. */
    Optional<DomainStatus> status(String name);

    /**
     * Every domain defined or running, listed now and read one by one when asked
     * ({@link DomainListing#read}): what the reconcile reads, part by part.
     */
    DomainListing listAll();

    /**
     * The running domains among {@code names}, listed now and read part by part
     * ({@link RunningSample#readSome}): each one's status and counters, the block devices read for
     * each named by {@code disksOf}. What the stats sampler reads every interval; a backend reads
     * each domain on the handle it listed it by (libvirt: no look-up by name per counter), and a
     * domain stopped or gone by the time its part comes is left out.
     */
    RunningSample sampleRunning(Collection<String> names, Function<String, List<String>> disksOf);

    /** Defines (or redefines) a persistent domain from its XML. */
    void define(String xml);

    void setAutostart(String name, boolean autostart);

    void start(String name);

    /** Asks the guest to shut down; returns at once. */
    void shutdown(String name);

    /** Pulls the plug. */
    void destroy(String name);

    /**
     * Starts the domain; its status right after. One step, so a backend can take it on one handle
     * of the domain (libvirt: one look-up instead of two).
     */
    default Optional<DomainStatus> startAndRead(String name) {
        start(name);
        return status(name);
    }

    /**
     * A new system's first start: defines domain {@code name} from {@code xml} unless a domain of
     * that name exists, sets its autostart when asked, starts it and reads its status. A step after
     * the define that fails undefines the domain again before the failure is thrown, so a failed
     * call leaves no domain behind. Empty when a domain of that name exists: nothing is changed,
     * and the caller takes the path of an existing domain. One step, so a backend can take it on
     * the handle its define returned (libvirt: no look-up at all where a read first and a start by
     * name took two, one of them failing).
     */
    default Optional<DomainStatus> defineAndStartIfAbsent(String name, String xml, boolean autostart) {
        if (status(name).isPresent()) {
            return Optional.empty();
        }
        define(xml);
        try {
            if (autostart) {
                setAutostart(name, true);
            }
            return startAndRead(name);
        } catch (RuntimeException e) {
            try {
                destroyUnlessStopped(name); // a start that failed only in its read would leave it running
            } catch (RuntimeException unread) {
                e.addSuppressed(unread);
            }
            try {
                undefine(name);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * Pulls the plug unless the domain is stopped; its status after, or empty if there is no such
     * domain. One step, so a backend can take it on one handle of the domain (libvirt: one look-up
     * instead of three).
     */
    default Optional<DomainStatus> destroyUnlessStopped(String name) {
        Optional<DomainStatus> s = status(name);
        if (s.isEmpty() || s.get().state() == SystemState.STOPPED) {
            return s;
        }
        destroy(name);
        return status(name);
    }

    void pause(String name);

    void resume(String name);

    void undefine(String name);

    /** The live domain XML (the defined one when stopped), or empty if no such domain. */
    Optional<String> xml(String name);

    /**
     * Moves a running domain to the hypervisor at {@code targetUri} while it runs (libvirt peer to
     * peer: this node's libvirt talks to the target's), defined there and undefined here on success.
     * libvirt refuses disks it cannot tell are on shared storage (it recognises NFS, Ceph, GlusterFS
     * and cluster filesystems) unless {@code storageVouchedShared}: the operator says they are.
     */
    void migrateLive(String name, String targetUri, boolean storageVouchedShared);

    /**
     * Limits how long the running domain {@code name} may be paused at the end of its next live
     * migration (QEMU's {@code downtime-limit}); called just before {@link #migrateLive}.
     */
    void setMigrationMaxDowntime(String name, java.time.Duration limit);

    /**
     * How far the job running on domain {@code name} has come (a live migration: data processed of
     * its total, in bytes); empty when none runs or the driver keeps no figures. Called from a
     * poller's thread while the hypervisor's thread waits in {@link #migrateLive}: it must not use
     * anything that thread uses besides libvirt's (thread-safe) connection.
     */
    default Optional<io.acp.model.Progress> jobProgress(String name) {
        return Optional.empty();
    }

    /**
     * Whether libvirt runs a job on domain {@code name} right now (a live migration it moves, even
     * though the client that started it is gone): while one does, where the domain will be is not
     * decided. False without such a domain, or where the driver has no jobs; throws when it cannot tell.
     */
    default boolean jobRunning(String name) {
        return false;
    }

    /**
     * Figures of the last migration that completed into (or out of) domain {@code name} on this
     * hypervisor, in milliseconds: {@code downtimeMs} (the guest was paused), {@code elapsedMs};
     * empty where the driver keeps none. Reading them clears them.
     */
    default Map<String, Long> completedMigration(String name) {
        return Map.of();
    }

    /** Takes a snapshot of domain {@code name} from libvirt's {@code <domainsnapshot>} XML. */
    void createSnapshot(String name, String snapshotXml);

    /** The names of the domain's snapshots; empty when there is no such domain. */
    List<String> snapshotNames(String name);

    /** A snapshot's {@code <domainsnapshot>} XML as libvirt keeps it, or empty if there is none of that name. */
    Optional<String> snapshotXml(String name, String snapshot);

    /** The snapshot the next one would take as its parent (the last taken or reverted to), if any. */
    Optional<String> currentSnapshot(String name);

    /**
     * Asks the guest agent of running domain {@code name} (qemu-guest-agent on the channel
     * {@code org.qemu.guest_agent.0}) to freeze the guest's file systems, flushed and quiet until
     * {@link #thawFilesystems}: how many it froze, or empty when no agent answers within
     * {@code timeout} (none installed, not started yet, stopped) and nothing was frozen.
     */
    default java.util.OptionalInt freezeFilesystems(String name, java.time.Duration timeout) {
        return java.util.OptionalInt.empty();
    }

    /** Thaws what {@link #freezeFilesystems} froze: how many the agent thawed, or empty when no agent answers. */
    default java.util.OptionalInt thawFilesystems(String name, java.time.Duration timeout) {
        return java.util.OptionalInt.empty();
    }

    /** Brings the domain's disks (and memory, if the snapshot holds it) back to the snapshot. */
    void revertToSnapshot(String name, String snapshot);

    /** Deletes a snapshot; its children take its parent as theirs. */
    void deleteSnapshot(String name, String snapshot);

    /** The most vCPUs and memory a running domain can be given live: the maxima it was started with. */
    LiveMaxima liveMaxima(String name);

    /** Brings a running domain's online vCPUs to {@code vcpus} (hot-plug), at most its maximum; the defined domain is left as it is. */
    void setVcpusLive(String name, int vcpus);

    /** Balloons a running domain to {@code memoryMiB}, at most its maximum; the defined domain is left as it is. */
    void setMemoryLive(String name, int memoryMiB);

    /**
     * Hot-plugs device {@code deviceXml} (a disk or an interface) into the running domain
     * {@code name} and its persistent definition (libvirt {@code VIR_DOMAIN_AFFECT_LIVE | AFFECT_CONFIG}).
     */
    void attachLive(String name, String deviceXml);

    /** Unplugs device {@code deviceXml} from the running domain {@code name} and its persistent definition. */
    void detachLive(String name, String deviceXml);

    /**
     * Starts a push-mode backup of running domain {@code name} (libvirt's {@code <domainbackup>}
     * XML), defining checkpoint {@code checkpointXml} at the same instant; returns at once, the
     * backup runs in the VMM ({@link #backupJob}).
     */
    void beginBackup(String name, String backupXml, String checkpointXml);

    /** The domain's backup job: running, or how the last one ended. */
    BackupJob backupJob(String name);

    /** The names of the domain's checkpoints (dirty bitmaps since each); empty when there is no such domain. */
    List<String> checkpointNames(String name);

    /** Deletes a checkpoint (its bitmap is merged into its parent's, if it has one). */
    void deleteCheckpoint(String name, String checkpoint);

    @Override
    void close();
}
