package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.DomainEventKind;
import io.acp.hypervisor.DomainListing;
import io.acp.hypervisor.DomainSample;
import io.acp.hypervisor.DomainStatus;
import io.acp.hypervisor.HypervisorBackend;
import io.acp.hypervisor.LiveMaxima;
import io.acp.hypervisor.RunningSample;
import io.acp.hypervisor.SystemState;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import com.sun.jna.Pointer;
import io.acp.libvirt.NativeConnect;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import io.acp.hypervisor.BackupJob;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainCheckpoint;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The hypervisor through libvirt-java: each operation one call on the node's {@link LibvirtConnection}
 * (which reconnects after libvirtd restarted). Not thread-safe: the hypervisor service calls it from
 * its one thread.
 */
public final class LibvirtBackend implements HypervisorBackend {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LibvirtBackend.class);

    /** VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY: forget a checkpoint, leaving its bitmaps in the images. */
    private static final int CHECKPOINT_DELETE_METADATA_ONLY = 1 << 1;

    /**
     * How long the stats sample waits for a domain's balloon and disk counters, which QEMU answers
     * through its monitor in 1-2 ms: a VMM that has not answered by then is hung or nearly so, and
     * its counters are left out until it answers (MonitorReads).
     */
    static final java.time.Duration MONITOR_READ_BOUND = java.time.Duration.ofSeconds(1);

    /**
     * How many running domains the stats sample reads in one bulk call for their interfaces'
     * counters (about 0.7 ms of libvirtd's time on QEMU), their monitor reads started together
     * (libvirtd serves five requests of one connection at a time; more in flight only queue there).
     */
    static final int PER_BULK_READ = 16;

    private final LibvirtConnection libvirt;
    private final MonitorReads<MonitorLink> monitorReads;
    private final Supplier<SampleCalls> sampleCallsLoader;
    /** Loaded at the first sample. */
    private SampleCalls sampleCalls;

    public LibvirtBackend(String uri, String nodeId) {
        this(uri, nodeId, SampleCalls::load);
    }

    /** With the stats sample's native calls from {@code sampleCalls} (a test counts them). */
    LibvirtBackend(String uri, String nodeId, Supplier<SampleCalls> sampleCalls) {
        this.sampleCallsLoader = sampleCalls;
        this.libvirt = new LibvirtConnection(uri, nodeId);
        this.monitorReads = new MonitorReads<>(MONITOR_READ_BOUND, () -> monitorLink(uri), MonitorLink::close,
                "node " + nodeId + " (libvirt at " + uri + ")");
    }

    /** A read-only connection of the monitor reads' own (no events: nothing listens on it). */
    private static MonitorLink monitorLink(String uri) {
        try {
            return new MonitorLink(new Connect(uri, true));
        } catch (LibvirtException e) {
            throw new IllegalStateException("cannot connect to libvirt at " + uri + " for the monitor reads: " + e.getMessage(), e);
        }
    }

    @Override
    public void connect(BiConsumer<String, DomainEventKind> events) {
        libvirt.open(events);
    }

    @Override
    public Optional<DomainStatus> status(String name) {
        return libvirt.read("read domain " + name, name, Optional.empty(), d -> Optional.of(DomainStates.status(d, name)));
    }

    @Override
    public DomainListing listAll() {
        // one listing of every domain, running or defined, each read on the handle it came with:
        // no look-up by id or name per domain (a third of the calls of a reconcile); a handle's
        // name is kept in it, read without a call to libvirtd
        return libvirt.call("list domains", c -> {
            Domain[] listed = c.listAllDomains(0);
            Map<String, Domain> byName = new HashMap<>(listed.length * 2);
            int i = 0;
            try {
                for (; i < listed.length; i++) {
                    Domain before = byName.put(listed[i].getName(), listed[i]);
                    LibvirtConnection.free(before); // not twice in one listing; be sure
                }
            } catch (LibvirtException e) {
                for (int j = i; j < listed.length; j++) {
                    LibvirtConnection.free(listed[j]);
                }
                byName.values().forEach(LibvirtConnection::free);
                throw e;
            }
            return new ListedDomains(c, byName);
        });
    }

    /** Every domain as one listing gave them, by name; each handle freed once read, or at {@link #close}. */
    private final class ListedDomains implements DomainListing {

        private final Connect listedOn;
        private final Map<String, Domain> byName;

        ListedDomains(Connect listedOn, Map<String, Domain> byName) {
            this.listedOn = listedOn;
            this.byName = byName;
        }

        // synchronized: the reconcile may let go of a listing from another thread (cancelled)
        // while a part still reads; a handle must be freed exactly once
        @Override
        public synchronized Optional<DomainStatus> read(String name) {
            return libvirt.call("read listed domain " + name, c -> {
                if (c != listedOn) {
                    close(); // reconnected since the listing: its handles belong to the lost connection
                    // not "no domain": the reconcile would report every listed system gone
                    throw new AcpException(ErrorCode.UNAVAILABLE, "node " + libvirt.nodeId() + " reconnected to libvirt at " + libvirt.uri()
                            + " during a reconcile; the next one lists the domains again");
                }
                Domain d = byName.remove(name);
                if (d == null) {
                    return Optional.empty();
                }
                Optional<DomainStatus> status = Optional.empty();
                try {
                    status = Optional.of(DomainStates.status(d, name));
                } catch (LibvirtException e) {
                    if (LibvirtConnection.code(e) != ErrorNumber.VIR_ERR_NO_DOMAIN) {
                        throw e;
                    }
                } finally {
                    LibvirtConnection.free(d);
                }
                return status;
            });
        }

        @Override
        public synchronized void close() {
            byName.values().forEach(LibvirtConnection::free);
            byName.clear();
        }
    }

    @Override
    public RunningSample sampleRunning(Collection<String> names, Function<String, List<String>> disksOf) {
        Set<String> wanted = new HashSet<>(names);
        return libvirt.call("list running domains", c -> {
            NativeDomains domains = new NativeDomains(sampleCalls());
            return new ListedSample(c, domains, domains.listRunning(NativeConnect.pointer(c)), wanted, disksOf);
        });
    }

    private SampleCalls sampleCalls() {
        if (sampleCalls == null) {
            sampleCalls = sampleCallsLoader.get();
        }
        return sampleCalls;
    }

    /**
     * The running domains as one listing gave them (native handles), read part by part; a handful at
     * a time ({@link #PER_BULK_READ}) their interfaces' counters in one bulk call and their monitor
     * reads started together, then each one's status on its own. Every handle is freed once read,
     * or at {@link #close}.
     */
    private final class ListedSample implements RunningSample {

        private final Connect listedOn;
        private final NativeDomains domains;
        private final Pointer[] listed;
        /** By listed index, the names of the wanted domains the last bulk read covered; null for the others. */
        private final String[] wantedNames;
        private final Set<String> wanted;
        private final Function<String, List<String>> disksOf;
        /** The domains this sample read as running: the monitor reads keep the handles of these only. */
        private final Set<String> running = new HashSet<>();
        /** The interfaces' counters the last bulk read gave, by domain name, for the listed domains before {@link #bulkEnd}. */
        private Map<String, Map<String, long[]>> bulk = Map.of();
        /** The monitor reads started with the last bulk read, by domain name. */
        private final Map<String, MonitorReads.Started<MonitorLink, MonitorCounters>> monitor = new HashMap<>();
        private int bulkEnd;
        private int next;

        ListedSample(Connect listedOn, NativeDomains domains, Pointer[] listed, Set<String> wanted, Function<String, List<String>> disksOf) {
            this.listedOn = listedOn;
            this.domains = domains;
            this.listed = listed;
            this.wantedNames = new String[listed.length];
            this.wanted = wanted;
            this.disksOf = disksOf;
        }

        // synchronized: the sampler may let go of a sample from another thread (a cancelled
        // sample) while its last part still reads; a handle must be freed exactly once
        @Override
        public synchronized boolean readSome(long deadlineNanos, BiConsumer<String, DomainSample> out) {
            return libvirt.call("sample running domains", c -> {
                if (c != listedOn) {
                    close(); // reconnected since the listing: its handles belong to the lost connection
                    return false;
                }
                if (next == listed.length) {
                    return false; // nothing ran, or all read
                }
                do {
                    if (next == bulkEnd) {
                        readInBulk();
                    }
                    Pointer d = listed[next];
                    String name = wantedNames[next];
                    listed[next++] = null;
                    try {
                        if (name != null) {
                            sampleRunning(d, name, bulk.get(name), (id, sample) -> {
                                running.add(id);
                                out.accept(id, sample);
                            });
                        }
                    } catch (NativeCallFailed e) {
                        if (!e.noDomain()) {
                            throw e;
                        }
                        // gone since the listing (a transient domain, as a guest migrated in, that stopped): skipped
                    } finally {
                        domains.free(d); // freed by this read, whatever it answers
                    }
                } while (next < listed.length && System.nanoTime() - deadlineNanos < 0);
                if (next < listed.length) {
                    return true;
                }
                monitorReads.onConnection(link -> link.retain(running));
                return false;
            });
        }

        /** Names the next {@link #PER_BULK_READ} listed domains and reads the wanted ones' interfaces' counters in one call. */
        private void readInBulk() {
            bulkEnd = Math.min(listed.length, next + PER_BULK_READ);
            Pointer[] some = new Pointer[bulkEnd - next];
            String[] names = new String[some.length];
            int n = 0;
            for (int i = next; i < bulkEnd; i++) {
                String name = domains.name(listed[i]);
                if (wanted.contains(name)) {
                    wantedNames[i] = name;
                    names[n] = name;
                    some[n++] = listed[i];
                }
            }
            bulk = Map.of();
            monitor.clear();
            if (n == 0) {
                return;
            }
            try {
                bulk = domains.interfacesInBulk(some, n);
            } catch (NativeCallFailed e) {
                if (!e.noDomain()) {
                    throw e;
                }
                // a driver that refuses the whole call for one domain gone since the listing: each is read on its own
            }
            // their monitor reads at once: each VMM answers its own (one after another, a sample waited for the sum)
            for (int i = 0; i < n; i++) {
                monitor.put(names[i], startMonitorRead(names[i], domains.uuid(some[i]), domains.id(some[i]), disksOf.apply(names[i])));
            }
        }

        @Override
        public synchronized void close() {
            for (; next < listed.length; next++) {
                domains.free(listed[next]);
                listed[next] = null;
            }
        }

        /**
         * Samples listed domain {@code d} if it still runs: its status and its interfaces' counters
         * ({@code interfaces} as the bulk call read them, or read here when it did not) on its
         * handle here, its disks' through the VMM's monitor ({@link MonitorReads}: on a connection
         * of their own, started with its bulk read, waited for until {@link #MONITOR_READ_BOUND}
         * after that start, left out while the monitor does not answer), and its balloon's beside
         * them ({@link #balloonBeside}; through the monitor too where it has no disk).
         */
        private void sampleRunning(Pointer d, String name, Map<String, long[]> interfaces, BiConsumer<String, DomainSample> out) {
            DomainStatus s = domains.status(d, name);
            if (s.state() != SystemState.RUNNING) {
                return;
            }
            Map<String, long[]> nics = interfaces != null ? interfaces : domains.interfacesOf(d, name);
            MonitorReads.Started<MonitorLink, MonitorCounters> started = this.monitor.remove(name);
            Optional<MonitorCounters> monitor = monitorAnswer(name, started != null ? started : MonitorReads.notTried());
            OptionalLong vmm = QemuPidFiles.vmmPid(libvirt.uri(), name);
            out.accept(name, new DomainSample(s, monitor.map(MonitorCounters::blocks).orElse(Map.of()), nics,
                    monitor.map(m -> m.memory() != null ? m.memory() : balloonBeside(s, vmm)).orElse(Map.of()), !monitorReads.waitsFor(name), vmm));
        }
    }

    /**
     * A running domain's counters that QEMU answers through its monitor: its disks', and its
     * balloon's only where it has no disk ({@code memory} null otherwise: {@link #balloonBeside}).
     */
    private record MonitorCounters(Map<String, long[]> blocks, Map<String, Long> memory) {
    }

    /**
     * The balloon's figures of a running domain without asking its VMM: its size ({@code actual})
     * is the current memory its status already gave (libvirt follows the balloon by QEMU's events,
     * the figure the monitor's balloon query returns), its VMM's resident memory ({@code rss}) is
     * read from /proc, where libvirt reads it too. A balloon query through the monitor cost libvirtd
     * about 1 ms per guest and sample, most of a sample of a quiet guest (docs/benchmarks.md). The
     * guest's own view ({@code unused}, {@code usable}) needs a stats period ACP's domains do not
     * set. Empty where the driver runs no VMM process of its own ({@code vmm} empty: the test
     * driver), as before.
     */
    private static Map<String, Long> balloonBeside(DomainStatus s, OptionalLong pid) {
        if (pid.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("actual", s.memoryKiB());
        QemuPidFiles.residentKiB(pid.getAsLong()).ifPresent(kib -> out.put("rss", kib));
        return out;
    }

    /**
     * Starts the read of the disks' counters (and the balloon's, where there is no disk) of running
     * domain {@code name} in its run {@code uuid}, {@code id} (on the handle the monitor reads kept
     * of it, MonitorLink); not tried when the monitor reads have no connection.
     */
    private MonitorReads.Started<MonitorLink, MonitorCounters> startMonitorRead(String name, String uuid, int id, List<String> disks) {
        try {
            return monitorReads.start(name, link -> {
                Domain d = link.handle(name, uuid, id);
                // the balloon through the monitor only where no disk's read passes through it: every
                // running domain's read still asks its VMM, which is how a hung one is told
                return d == null ? null : new MonitorCounters(DomainStats.block(d, disks), disks.isEmpty() ? DomainStats.memory(d) : null);
            });
        } catch (IllegalStateException e) {
            LOG.debugf("no monitor counters of %s on node %s: %s", name, libvirt.nodeId(), e.getMessage());
            return MonitorReads.notTried();
        }
    }

    /**
     * What monitor read {@code started} answered; empty while the domain's monitor does not answer,
     * or when the read failed (the counters are left out of this sample; the next one reads them on
     * a fresh connection).
     */
    private Optional<MonitorCounters> monitorAnswer(String name, MonitorReads.Started<MonitorLink, MonitorCounters> started) {
        try {
            return monitorReads.answer(started);
        } catch (LibvirtException | IllegalStateException e) {
            LOG.debugf("no monitor counters of %s on node %s: %s", name, libvirt.nodeId(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The libvirt connection held now, or null (tests tell a kept connection from a reopened one). */
    Connect heldConnection() {
        return libvirt.held();
    }

    @Override
    public void define(String xml) {
        libvirt.call("define a domain", c -> {
            LibvirtConnection.free(c.domainDefineXML(xml));
            return null;
        });
    }

    @Override
    public void setAutostart(String name, boolean autostart) {
        libvirt.act("set autostart of", name, d -> d.setAutostart(autostart));
    }

    @Override
    public void start(String name) {
        libvirt.act("start", name, Domain::create);
    }

    @Override
    public void shutdown(String name) {
        libvirt.act("shut down", name, Domain::shutdown);
    }

    @Override
    public void destroy(String name) {
        libvirt.act("destroy", name, Domain::destroy);
    }

    @Override
    public Optional<DomainStatus> startAndRead(String name) {
        return Optional.of(libvirt.actAndRead("start", name, d -> {
            d.create();
            return DomainStates.status(d, name);
        }));
    }

    @Override
    public Optional<DomainStatus> defineAndStartIfAbsent(String name, String xml, boolean autostart) {
        String[] step = {"define domain " + name};
        return libvirt.call(() -> step[0], c -> {
            Domain d;
            try {
                d = c.domainDefineXML(xml);
            } catch (LibvirtException refused) {
                // libvirt refuses a second domain of one name (the XML carries no uuid, so libvirt
                // gives it a new one): that domain is then the caller's to take as it is. Looked up
                // only now: for a new system the look-up would nearly always fail, a libvirt error
                // and an exception per create.
                Domain existing = LibvirtConnection.lookup(c, name);
                if (existing == null) {
                    throw refused;
                }
                LibvirtConnection.free(existing);
                return Optional.empty();
            }
            boolean started = false;
            try {
                if (autostart) {
                    step[0] = "set autostart of domain " + name;
                    d.setAutostart(true);
                }
                step[0] = "start domain " + name;
                d.create();
                started = true;
                step[0] = "read domain " + name + " after its start";
                return Optional.of(DomainStates.status(d, name));
            } catch (LibvirtException | RuntimeException e) {
                takeBack(d, name, started, e);
                throw e;
            } finally {
                LibvirtConnection.free(d);
            }
        });
    }

    /**
     * Undoes a new domain's define (and its start, if it started) after a later step failed with
     * {@code failure}, which goes on to the caller with what the undo could not do attached.
     */
    private void takeBack(Domain d, String name, boolean started, Exception failure) {
        if (started) {
            try {
                d.destroy(); // undefined while running, it would go on as a transient domain
            } catch (LibvirtException notRunning) {
                failure.addSuppressed(notRunning); // it may have stopped by itself: the undefine still goes on
            }
        }
        try {
            d.undefine();
        } catch (LibvirtException undo) {
            failure.addSuppressed(undo);
            LOG.errorf("domain %s on node %s: could not undo its define after '%s': %s", name, libvirt.nodeId(), failure.getMessage(),
                    undo.getMessage());
        }
    }

    @Override
    public Optional<DomainStatus> destroyUnlessStopped(String name) {
        // the plug pulled first and the status read once, after: a stop nearly always finds the
        // domain running, and libvirt refuses to destroy a domain that is not (OPERATION_INVALID),
        // which is then read to be sure it is stopped
        return libvirt.read("destroy domain " + name, name, Optional.empty(), d -> {
            try {
                d.destroy();
            } catch (LibvirtException e) {
                ErrorNumber code = LibvirtConnection.code(e);
                if (code == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                    return Optional.empty(); // went since it was looked up
                }
                if (code != ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                    throw e;
                }
                Optional<DomainStatus> s = readUnlessGone(d, name); // not running: stopped, or gone by now
                if (s.isPresent() && s.get().state() != SystemState.STOPPED) {
                    throw e;
                }
                return s;
            }
            return readUnlessGone(d, name);
        });
    }

    /**
     * The status of {@code d}; empty once there is no such domain: a transient domain (one migrated
     * in) is gone once destroyed, as a status read by name says.
     */
    private static Optional<DomainStatus> readUnlessGone(Domain d, String name) throws LibvirtException {
        try {
            return Optional.of(DomainStates.status(d, name));
        } catch (LibvirtException e) {
            if (LibvirtConnection.code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void pause(String name) {
        libvirt.act("pause", name, Domain::suspend);
    }

    @Override
    public void resume(String name) {
        libvirt.act("resume", name, Domain::resume);
    }

    @Override
    public void undefine(String name) {
        // A qemu domain with snapshots or checkpoints cannot be undefined while libvirt keeps their
        // metadata. Snapshots stay inside the images; checkpoints (backups' dirty bitmaps) are
        // deleted first, as libvirt 9's qemu driver takes no flag to drop them with the domain.
        libvirt.act("undefine", name, d -> {
            for (DomainCheckpoint c : d.listAllCheckpoints(0)) {
                try {
                    c.delete(0);
                } catch (LibvirtException bitmapsUnreachable) {
                    c.delete(CHECKPOINT_DELETE_METADATA_ONLY);
                } finally {
                    c.free();
                }
            }
            d.undefine(Domain.UndefineFlags.SNAPSHOTS_METADATA);
        });
    }

    @Override
    public LiveMaxima liveMaxima(String name) {
        return libvirt.read("read the maxima of " + name, name, new LiveMaxima(0, 0),
                d -> new LiveMaxima(d.getMaxVcpus(), d.getMaxMemory() / 1024));
    }

    @Override
    public void setVcpusLive(String name, int vcpus) {
        libvirt.act("set the online vCPUs of", name, d -> d.setVcpusFlags(vcpus, Domain.VcpuFlags.LIVE));
    }

    /** VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG: the running domain and its definition. */
    private static final int LIVE_AND_CONFIG = 1 | 2;

    @Override
    public void attachLive(String name, String deviceXml) {
        libvirt.act("hot-plug a device into", name, d -> d.attachDeviceFlags(deviceXml, LIVE_AND_CONFIG));
    }

    @Override
    public void detachLive(String name, String deviceXml) {
        libvirt.act("unplug a device from", name, d -> d.detachDeviceFlags(deviceXml, LIVE_AND_CONFIG));
    }

    @Override
    public void setMemoryLive(String name, int memoryMiB) {
        // virDomainSetMemory acts on the running domain only (the balloon target); KiB.
        libvirt.act("balloon", name, d -> d.setMemory(memoryMiB * 1024L));
    }

    @Override
    public Optional<String> xml(String name) {
        return libvirt.read("read the XML of domain " + name, name, Optional.empty(), d -> Optional.of(d.getXMLDesc(0)));
    }

    @Override
    public void migrateLive(String name, String targetUri, boolean storageVouchedShared) {
        long flags = Domain.MigrateFlags.LIVE | Domain.MigrateFlags.PEER2PEER | Domain.MigrateFlags.PERSIST_DEST
                | Domain.MigrateFlags.UNDEFINE_SOURCE | Domain.MigrateFlags.ABORT_ON_ERROR
                | (storageVouchedShared ? Domain.MigrateFlags.UNSAFE : 0);
        libvirt.act("live-migrate to " + targetUri, name, d -> d.migrateToURI(targetUri, flags, null, 0));
    }

    @Override
    public void setMigrationMaxDowntime(String name, java.time.Duration limit) {
        long ms = Math.max(1, limit.toMillis());
        libvirt.act("set the maximum migration downtime to " + ms + " ms of", name, d -> d.migrateSetMaxDowntime(ms));
    }

    @Override
    public Optional<io.acp.model.Progress> jobProgress(String name) {
        return libvirt.readBeside(name, Optional.empty(), MigrationFigures::running);
    }

    @Override
    public boolean jobRunning(String name) {
        return libvirt.read("read the job of " + name, name, false, MigrationFigures::jobRunning);
    }

    @Override
    public Map<String, Long> completedMigration(String name) {
        return libvirt.read("read the completed migration of " + name, name, Map.of(), MigrationFigures::completed);
    }

    @Override
    public void createSnapshot(String name, String snapshotXml) {
        libvirt.act("snapshot", name, d -> free(d.snapshotCreateXML(snapshotXml, 0)));
    }

    @Override
    public List<String> snapshotNames(String name) {
        return libvirt.read("list the snapshots of domain " + name, name, List.of(), d -> List.of(d.snapshotListNames()));
    }

    @Override
    public Optional<String> snapshotXml(String name, String snapshot) {
        return libvirt.read("read snapshot " + snapshot + " of domain " + name, name, Optional.empty(), d -> {
            if (!List.of(d.snapshotListNames()).contains(snapshot)) {
                return Optional.empty();
            }
            DomainSnapshot s = d.snapshotLookupByName(snapshot);
            try {
                return Optional.of(s.getXMLDesc());
            } finally {
                free(s);
            }
        });
    }

    @Override
    public Optional<String> currentSnapshot(String name) {
        return libvirt.read("read the current snapshot of domain " + name, name, Optional.empty(), d -> {
            if (d.hasCurrentSnapshot() != 1) {
                return Optional.empty();
            }
            DomainSnapshot s = d.snapshotCurrent();
            try {
                // The snapshot's own <name> comes first, before its parent's; ACP's names need no XML escapes.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("<name>([^<]*)</name>").matcher(s.getXMLDesc());
                return m.find() ? Optional.of(m.group(1)) : Optional.empty();
            } finally {
                free(s);
            }
        });
    }

    @Override
    public java.util.OptionalInt freezeFilesystems(String name, java.time.Duration timeout) {
        return GuestAgent.command(libvirt, name, "guest-fsfreeze-freeze", timeout);
    }

    @Override
    public java.util.OptionalInt thawFilesystems(String name, java.time.Duration timeout) {
        return GuestAgent.command(libvirt, name, "guest-fsfreeze-thaw", timeout);
    }

    @Override
    public void revertToSnapshot(String name, String snapshot) {
        libvirt.act("revert to snapshot " + snapshot + " of", name, d -> {
            DomainSnapshot s = d.snapshotLookupByName(snapshot);
            try {
                d.revertToSnapshot(s);
            } finally {
                free(s);
            }
        });
    }

    @Override
    public void deleteSnapshot(String name, String snapshot) {
        libvirt.act("delete snapshot " + snapshot + " of", name, d -> {
            DomainSnapshot s = d.snapshotLookupByName(snapshot);
            try {
                s.delete(0);
            } finally {
                free(s);
            }
        });
    }

    private static void free(DomainSnapshot s) {
        try {
            s.free();
        } catch (LibvirtException e) {
            // nothing to do: the handle is gone either way
        }
    }

    @Override
    public void beginBackup(String name, String backupXml, String checkpointXml) {
        libvirt.act("begin a backup of", name, d -> d.backupBegin(backupXml, checkpointXml, 0));
    }

    @Override
    public BackupJob backupJob(String name) {
        return libvirt.read("read the backup job of domain " + name, name, BackupJob.failed("domain " + name + " is gone"), BackupJobs::of);
    }

    @Override
    public List<String> checkpointNames(String name) {
        return libvirt.read("list the checkpoints of domain " + name, name, List.of(), d -> {
            List<String> names = new ArrayList<>();
            for (DomainCheckpoint c : d.listAllCheckpoints(0)) {
                try {
                    names.add(c.getName());
                } finally {
                    c.free();
                }
            }
            return names;
        });
    }

    @Override
    public void deleteCheckpoint(String name, String checkpoint) {
        libvirt.act("delete checkpoint " + checkpoint + " of", name, d -> {
            DomainCheckpoint c = d.checkpointLookupByName(checkpoint);
            try {
                c.delete(0);
            } finally {
                c.free();
            }
        });
    }

    /** Closes for good: later calls answer unavailable instead of reconnecting. */
    @Override
    public void close() {
        monitorReads.close();
        libvirt.close();
    }

    /** Drops the connection, as losing it does; the next call connects again. */
    public void disconnect() {
        libvirt.disconnect();
    }
}
