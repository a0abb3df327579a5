package io.acp.hypervisor;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/** A real backend with switches: drop its events, fail its next starts, or show jobs running, to isolate one path. */
class DelegatingBackend implements HypervisorBackend {

    final HypervisorBackend real;
    volatile boolean dropEvents;
    volatile RuntimeException failStart;
    /** Set: the domains named here have a job running (a live migration libvirt still moves), whatever the real driver says. */
    final java.util.Set<String> jobsRunning = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Set: the domains named here read as crashed (libvirt's crashed state), whatever the real driver says. */
    final java.util.Set<String> crashed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    DelegatingBackend(HypervisorBackend real) {
        this.real = real;
    }

    /** Where the real backend delivers its lifecycle events: set at connect. */
    private volatile BiConsumer<String, DomainEventKind> delivered;

    /** Delivers an event as libvirt's event thread would, e.g. one that arrives late. */
    void deliver(String name, DomainEventKind kind) {
        delivered.accept(name, kind);
    }

    /** "name KIND" of every event handed on to the service (not dropped), once handled. */
    final Set<String> eventsHandled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void connect(BiConsumer<String, DomainEventKind> events) {
        delivered = events;
        real.connect((name, kind) -> {
            if (!dropEvents) {
                events.accept(name, kind);
                eventsHandled.add(name + " " + kind);
            }
        });
    }

    /**
     * Waits (bounded) until the event {@code kind} of domain {@code name} was handled: libvirt
     * delivers a domain's events in order on its own thread, so every earlier one was handled too,
     * and none of them can reach the service's reports after a step a test takes next.
     */
    void awaitHandled(String name, DomainEventKind kind, java.time.Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!eventsHandled.contains(name + " " + kind)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("event " + kind + " of " + name + " not handled within " + bound);
            }
            Thread.sleep(5);
        }
    }

    /** How many times a domain's status was read by name (each a look-up of the domain in libvirt). */
    final java.util.concurrent.atomic.AtomicInteger statusReads = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Optional<DomainStatus> status(String name) {
        statusReads.incrementAndGet();
        return asSwitched(name, real.status(name));
    }

    /** The status as the switches make it read: crashed when its name is in {@link #crashed}. */
    private Optional<DomainStatus> asSwitched(String name, Optional<DomainStatus> s) {
        return crashed.contains(name) ? s.map(d -> new DomainStatus(d.name(), SystemState.FAILED, d.vcpus(), d.memoryKiB(), d.maxMemoryKiB(),
                d.cpuTimeNanos())) : s;
    }

    /** Set: runs on the hypervisor's thread after each listed domain a reconcile read, before the reconcile goes on. */
    volatile java.util.function.Consumer<String> afterListedRead = name -> {
    };

    @Override
    public DomainListing listAll() {
        DomainListing listing = real.listAll();
        return new DomainListing() {
            @Override
            public Optional<DomainStatus> read(String name) {
                Optional<DomainStatus> s = listing.read(name);
                afterListedRead.accept(name);
                return s;
            }

            @Override
            public void close() {
                listing.close();
            }
        };
    }

    /** How many running domains the stats samples read ({@link #sampleRunning}), each on the handle libvirt listed it by. */
    final java.util.concurrent.atomic.AtomicInteger domainsSampled = new java.util.concurrent.atomic.AtomicInteger();
    /** The block devices the last stats sample was told to read, per system it was asked about. */
    final Map<String, List<String>> sampledDisks = new java.util.concurrent.ConcurrentHashMap<>();

    /** Set: runs on the hypervisor's thread after each running domain a stats sample read, before the sample goes on. */
    volatile java.util.function.Consumer<String> afterSampleRead = name -> {
    };

    @Override
    public RunningSample sampleRunning(java.util.Collection<String> names, java.util.function.Function<String, List<String>> disksOf) {
        names.forEach(name -> sampledDisks.put(name, disksOf.apply(name)));
        RunningSample sample = real.sampleRunning(names, disksOf);
        return new RunningSample() {
            @Override
            public boolean readSome(long deadlineNanos, BiConsumer<String, DomainSample> out) {
                return sample.readSome(deadlineNanos, (name, s) -> {
                    domainsSampled.incrementAndGet();
                    if (!crashed.contains(name)) { // switched to crashed: it reads as failed, and only running domains are sampled
                        out.accept(name, s);
                    }
                    afterSampleRead.accept(name);
                });
            }

            @Override
            public void close() {
                sample.close();
            }
        };
    }

    @Override
    public Optional<DomainStatus> startAndRead(String name) {
        RuntimeException f = failStart;
        if (f != null) {
            throw f;
        }
        return asSwitched(name, real.startAndRead(name));
    }

    /** The real backend's one step, unless a start is to fail: then the steps one by one, so {@link #startAndRead} fails it. */
    @Override
    public Optional<DomainStatus> defineAndStartIfAbsent(String name, String xml, boolean autostart) {
        if (failStart != null) {
            return HypervisorBackend.super.defineAndStartIfAbsent(name, xml, autostart);
        }
        return asSwitched(name, real.defineAndStartIfAbsent(name, xml, autostart));
    }

    @Override
    public Optional<DomainStatus> destroyUnlessStopped(String name) {
        return asSwitched(name, real.destroyUnlessStopped(name));
    }

    @Override
    public void define(String xml) {
        real.define(xml);
    }

    @Override
    public void setAutostart(String name, boolean autostart) {
        real.setAutostart(name, autostart);
    }

    @Override
    public void start(String name) {
        RuntimeException f = failStart;
        if (f != null) {
            throw f;
        }
        real.start(name);
    }

    @Override
    public void shutdown(String name) {
        real.shutdown(name);
    }

    @Override
    public void destroy(String name) {
        real.destroy(name);
    }

    @Override
    public LiveMaxima liveMaxima(String name) {
        return real.liveMaxima(name);
    }

    @Override
    public void setVcpusLive(String name, int vcpus) {
        real.setVcpusLive(name, vcpus);
    }

    @Override
    public void setMemoryLive(String name, int memoryMiB) {
        real.setMemoryLive(name, memoryMiB);
    }

    @Override
    public void pause(String name) {
        real.pause(name);
    }

    @Override
    public void resume(String name) {
        real.resume(name);
    }

    @Override
    public void undefine(String name) {
        real.undefine(name);
    }

    @Override
    public Optional<String> xml(String name) {
        return real.xml(name);
    }

    @Override
    public void migrateLive(String name, String targetUri, boolean storageVouchedShared) {
        real.migrateLive(name, targetUri, storageVouchedShared);
    }

    @Override
    public void setMigrationMaxDowntime(String name, java.time.Duration limit) {
        real.setMigrationMaxDowntime(name, limit);
    }

    @Override
    public void attachLive(String name, String deviceXml) {
        real.attachLive(name, deviceXml);
    }

    @Override
    public void detachLive(String name, String deviceXml) {
        real.detachLive(name, deviceXml);
    }

    @Override
    public boolean jobRunning(String name) {
        return jobsRunning.contains(name) || real.jobRunning(name);
    }

    @Override
    public java.util.Optional<io.acp.model.Progress> jobProgress(String name) {
        return real.jobProgress(name);
    }

    @Override
    public Map<String, Long> completedMigration(String name) {
        return real.completedMigration(name);
    }

    @Override
    public void close() {
        real.close();
    }

    @Override
    public void createSnapshot(String name, String snapshotXml) {
        real.createSnapshot(name, snapshotXml);
    }

    @Override
    public List<String> snapshotNames(String name) {
        return real.snapshotNames(name);
    }

    @Override
    public Optional<String> snapshotXml(String name, String snapshot) {
        return real.snapshotXml(name, snapshot);
    }

    @Override
    public Optional<String> currentSnapshot(String name) {
        return real.currentSnapshot(name);
    }

    @Override
    public void revertToSnapshot(String name, String snapshot) {
        real.revertToSnapshot(name, snapshot);
    }

    @Override
    public void deleteSnapshot(String name, String snapshot) {
        real.deleteSnapshot(name, snapshot);
    }

    @Override
    public void beginBackup(String name, String backupXml, String checkpointXml) {
        real.beginBackup(name, backupXml, checkpointXml);
    }

    @Override
    public BackupJob backupJob(String name) {
        return real.backupJob(name);
    }

    @Override
    public List<String> checkpointNames(String name) {
        return real.checkpointNames(name);
    }

    @Override
    public void deleteCheckpoint(String name, String checkpoint) {
        real.deleteCheckpoint(name, checkpoint);
    }

    @Override
    public java.util.OptionalInt freezeFilesystems(String name, java.time.Duration timeout) {
        return real.freezeFilesystems(name, timeout);
    }

    @Override
    public java.util.OptionalInt thawFilesystems(String name, java.time.Duration timeout) {
        return real.thawFilesystems(name, timeout);
    }
}
