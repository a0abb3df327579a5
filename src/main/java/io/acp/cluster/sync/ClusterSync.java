package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.Readiness;
import io.acp.cluster.sync.membership.Membership;
import io.acp.cluster.sync.membership.MembershipMeta;
import io.acp.cluster.sync.membership.Peer;
import io.acp.cluster.sync.membership.PeerState;
import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.transport.TransportCounters;
import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.ControlCheck;
import io.acp.cluster.sync.origin.ControlSealer;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCheck;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.PairTags;
import io.acp.cluster.sync.origin.SealTags;
import io.acp.cluster.sync.origin.Refusal;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramHeader;
import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.Reassembler;
import io.acp.cluster.sync.wire.ReplayGuard;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import io.acp.model.LogLimit;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.security.ClusterPki;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.security.Revocations;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Replicates one node's CDB with the other nodes of its L2 domain over authenticated UDP multicast:
 * deltas of what this node originates, heartbeats for membership, and anti-entropy pulls that repair
 * loss. All protocol state is handled on one sync thread; the transport's I/O thread only
 * authenticates and reassembles datagrams. The protocol is described in docs/protocol.md
 * ("Cluster sync").
 *
 * <p>One instance runs once: {@link #start()}, then {@link #stop()}; a restart is a new instance
 * (with a new epoch). The CDB belongs to the caller and stays open after stop.
 */
public final class ClusterSync {

    private static final Logger LOG = Logger.getLogger(ClusterSync.class);

    /** How far a pull's date may be from this node's clock: the CDB's default clock bound. */
    static final java.time.Duration PULL_WINDOW = Cdb.DEFAULT_MAX_CLOCK_AHEAD;

    /**
     * How long a catching-up node waits, after the discovery window, for peers it hears but cannot
     * verify yet (it lacks their certificates, e.g. it is back on an empty disk with a new key).
     */
    static final java.time.Duration UNVERIFIED_PEER_WAIT = java.time.Duration.ofSeconds(30);
    /** The least age of an unsealed object before it goes back to its live author (see {@link ObjectReturns}). */
    static final java.time.Duration RETURN_AFTER_AT_LEAST = java.time.Duration.ofSeconds(2);

    /**
     * Every this many heartbeats a node re-sends its own certificate meta, so a peer that lacks it
     * (a newcomer, or one whose copy was lost) learns it without asking: its own heartbeats, pulls
     * and entries are refused there as unknown-author until it does.
     */
    static final int CERTIFICATE_RESEND_HEARTBEATS = 10;

    private final Cdb cdb;
    /** This node's stats series, which a sealed flush sends in stats sets. */
    private final OwnStatsSets ownStats;
    /** Where the samples of each peer's stats sets are merged in the CDB, found once per series. */
    private final StatsSetTargets setTargets = new StatsSetTargets(this::isMember);
    private final StatsSetKeys setKeys = new StatsSetKeys(this::isMember);
    private final SyncSettings settings;
    private final String node;
    private final Path dataDir;
    private final UnaryOperator<Transport> transportLayer;
    private final SyncEnvironment env;
    private final LogLimit pushedWindowLog; // a line a minute at most: each push makes one
    private final SyncCounters counters = new SyncCounters();
    private final StateIndex index;
    /** Forgets the reports of a restarted or dead author that this node cannot relay (sync thread). */
    private final UnrelayableReports unrelayable;
    /** Authors whose tagged reports came before any heartbeat of theirs was heard; sync thread. */
    private final UnheardAuthors unheardAuthors = new UnheardAuthors();
    private final Membership membership;
    private final AntiEntropy antiEntropy;
    private final ClockAheadRefusals clockAhead;
    private CatchUp catchUp; // sync thread only, after start
    private final OriginCounters refusals;
    private final SealStore seals;
    private final ReplayGuard replay = new ReplayGuard();
    private ReplayMarksSaver marks;
    private volatile Revocations revocations = Revocations.NONE;
    private volatile boolean bridge;
    private NodeSigner signer;
    private volatile ClusterKeys keys;
    private AuthorKeys authorKeys;
    private OriginCheck originCheck;
    private PairTags pairTags;
    private SealTags sealTags; // sync thread only
    private ControlCheck controlCheck; // sync thread only
    private ControlSealer control;
    private long lastCertificateResendNanos; // sync thread only
    private long heartbeatsSent; // sync thread only
    /** Objects taken under pair tags whose seal is late, handed back to their authors (sync thread). */
    private ObjectReturns returns;
    /** {@link #returns}' counts as of the last heartbeat, for stats read from any thread. */
    private volatile int returnsTracked;
    private volatile long returnsGivenUp;
    /** Takes what peers send into the CDB (sync thread, after start). */
    private EntryIntake intake;
    private ScheduledExecutorService executor;
    private Transport transport;
    private Outbox outbox;
    private DeltaBundler bundler;
    private DeltaSender sender;
    private Inbox inbox;
    private QuietStatsResender quietStats;
    private Cancellable changes;
    private long epoch;
    /**
     * This node's own entries that came back from a peer (anti-entropy after a restart), by slot:
     * their change events are echoes, not new writes, and are not multicast again. Recognised by
     * version, not by thread: the CDB may deliver a concurrent local write on the sync thread.
     */
    private final Map<EntrySlot, Version> ownEntriesFromPeers = new ConcurrentHashMap<>();
    /** When the planned flush task runs, or {@link Long#MAX_VALUE} if none is planned. */
    private final AtomicLong flushPlannedAt = new AtomicLong(Long.MAX_VALUE);
    private long lastPullNanos; // sync thread only
    private String lastPulled; // sync thread only: the peer of the last periodic pull
    private volatile boolean running;

    public ClusterSync(Cdb cdb, SyncSettings settings, String node, Path dataDir) {
        this(cdb, settings, node, dataDir, UnaryOperator.identity());
    }

    /** @param transportLayer wraps the real transport, e.g. in a test's fault layer */
    public ClusterSync(Cdb cdb, SyncSettings settings, String node, Path dataDir, UnaryOperator<Transport> transportLayer) {
        this(cdb, settings, node, dataDir, transportLayer, SyncEnvironment.system());
    }

    /** @param env the clocks, random source, sync thread and transport; a simulation passes its own */
    public ClusterSync(Cdb cdb, SyncSettings settings, String node, Path dataDir, UnaryOperator<Transport> transportLayer, SyncEnvironment env) {
        if (!node.equals(cdb.localNode())) {
            throw new IllegalArgumentException("sync of node " + node + " was given the CDB of node " + cdb.localNode());
        }
        this.cdb = cdb;
        this.settings = settings;
        this.node = node;
        this.dataDir = dataDir;
        this.transportLayer = transportLayer;
        this.env = env;
        this.lastPullNanos = env.nanoTime().getAsLong() - Long.MAX_VALUE / 2;
        // told of each peer's stats series once (changesOfSeries): the sample an answer sends is the CDB's latest
        this.index = new StateIndex(held -> {
            StatsEntry now = cdb.latestStats(held.key(), held.node());
            return now != null ? now : held;
        });
        this.seals = new SealStore(cdb);
        this.unrelayable = new UnrelayableReports(node, cdb, index, seals, counters, setTargets, setKeys);
        this.ownStats = new OwnStatsSets(node, cdb);
        this.membership = new Membership(settings.suspectAfter(), settings.deadAfter(), env.wallMillis());
        this.antiEntropy = new AntiEntropy(index, env.random(), settings.antiEntropyMaxBytes(), settings.heartbeatInterval().toMillis(), env.wallMillis());
        this.clockAhead = new ClockAheadRefusals(node);
        this.refusals = new OriginCounters(node);
        this.pushedWindowLog = new LogLimit(java.time.Duration.ofMinutes(1), env.nanoTime());
    }

    /**
     * The certificates the cluster has revoked: entries sealed under them, and every message from a
     * node all of whose certificates are revoked, are refused from then on. Settable before or
     * after start.
     */
    public void useRevocations(Revocations r) {
        revocations = r;
        AuthorKeys k = authorKeys;
        if (k != null) {
            k.useRevocations(r);
        }
    }

    /** Bumps the epoch, opens the sockets and starts syncing; fails if the settings or sockets are bad. */
    public Uni<Void> start() {
        return Uni.createFrom().item(() -> {
                    startNow();
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    private synchronized void startNow() {
        loadIdentity();
        keys = new ClusterKeys(settings.clusterId(), settings.secret(), settings.previousSecret());
        Map<String, ReplayGuard.Mark> savedMarks;
        try {
            epoch = EpochFile.bump(dataDir, env.wallMillis().getAsLong() / 1000);
            savedMarks = ReplayMarksFile.read(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("sync epoch or replay marks of node " + node + " could not be read or persisted in " + dataDir, e);
        }
        savedMarks.forEach(replay::restore);
        marks = new ReplayMarksSaver(dataDir, node, savedMarks, Infrastructure.getDefaultWorkerPool());
        DatagramSealer sealer = new DatagramSealer(keys, node, epoch, settings.maxDatagramBytes());
        bundler = new DeltaBundler(new DeltaBundler.Limits(settings.flushInterval().toNanos(), settings.maxLinger().toNanos(),
                sealer.maxBodyPerDatagram(), settings.maxPendingDeltas(), DeltaBundler.BUSY_BACKLOG));
        quietStats = new QuietStatsResender(settings.heartbeatInterval().toMillis());
        // the seal comes at the author's next heartbeat and again at the one after: four intervals is
        // late, and at least 2 s, so a busy author's slow sealer does not make every object come back
        returns = new ObjectReturns(cdb, seals, Math.max(4 * settings.heartbeatInterval().toMillis(), RETURN_AFTER_AT_LEAST.toMillis()));
        cdb.readiness(Readiness.SYNCING);
        catchUp = new CatchUp(settings.suspectAfter().toNanos(), settings.antiEntropyInterval().toNanos(), env.nanoTime().getAsLong(),
                UNVERIFIED_PEER_WAIT.toNanos());
        intake = new EntryIntake(node, new EntryIntake.Parts(cdb, index, seals, setTargets, catchUp, antiEntropy, returns, clockAhead),
                new EntryIntake.Checks(originCheck, this::isMember, refusals, counters), env.wallMillis().getAsLong(), env.nanoTime(),
                this::bundle, ownEntriesFromPeers);
        executor = env.executors().apply(node);
        // subscribe before taking the snapshot, so no change falls in between
        // of peers' stats only each series' start: the index counts series, and a newer sample changes no bucket
        changes = cdb.changesOfSeries(ChangeFilter.ALL).subscribe().with(this::onChange, f -> LOG.errorf(f, "CDB change stream of node %s failed", node));
        for (ObjectEntry o : cdb.objects(new ObjectQuery(null, null, null, null, true))) {
            index.update(o);
        }
        // meta and stats by the keys that carry them, not by object: a node's own meta (membership,
        // certificate, readiness) sits on a key with no object, and a sync restarted on a live CDB
        // that skipped it would hold a digest that never matches its peers'
        for (io.acp.model.ObjectType type : io.acp.model.ObjectType.values()) {
            for (ObjectKey k : cdb.reportedKeys(type)) {
                for (io.acp.model.MetaEntry m : cdb.meta(k, null)) {
                    index.update(m);
                }
                cdb.stats(k, null).forEach(index::update);
            }
        }
        inbox = new Inbox(new DatagramOpener(keys, node, counters, replay, env.wallMillis()),
                new Reassembler(settings.reassemblyMaxBytes(), settings.reassemblyTimeout().toNanos(), counters),
                counters, new Inbox.SyncThread() {
                    @Override
                    public void execute(Runnable batch) {
                        executor.execute(batch);
                    }

                    @Override
                    public void schedule(Runnable batch, long delayNanos) {
                        executor.schedule(batch, delayNanos, TimeUnit.NANOSECONDS);
                    }
                }, this::handleGuarded, env.nanoTime(), authorKeys::member, authorKeys::knows);
        try {
            transport = transportLayer.apply(env.transports().open(settings));
            transport.start(inbox::onDatagram);
        } catch (IOException | RuntimeException e) {
            changes.cancel();
            executor.shutdownNow();
            if (transport != null) {
                transport.close();
            }
            throw new IllegalStateException("sync of node " + node + " could not open " + settings + ": " + e.getMessage(), e);
        }
        outbox = new Outbox(sealer, transport);
        sender = new DeltaSender(node, epoch, bundler, signer, seals, pairTags, sealTags, authorKeys, outbox, counters, () -> bridge,
                ownStats, () -> cdb.clock().now(), () -> cdb.readiness() == Readiness.READY, env.sealers().apply(node), executor);
        control = new ControlSealer(signer, epoch, transport.localAddress(), env.random());
        running = true;
        publishCertificate();
        long hb = settings.heartbeatInterval().toMillis();
        long ae = settings.antiEntropyInterval().toMillis();
        executor.scheduleAtFixedRate(guarded(this::heartbeat), 0, hb, TimeUnit.MILLISECONDS);
        executor.scheduleAtFixedRate(guarded(this::antiEntropyRound), ae, ae, TimeUnit.MILLISECONDS);
        LOG.infof("cluster sync of node %s started: epoch %d, %s, unicast %s", node, epoch, settings, transport.localAddress());
    }

    /**
     * This node's key and certificate (checked against the cluster CA) and the CA, from the data
     * dir's PKI files: entries are sealed with the key, peers' seals checked against the CA.
     */
    private void loadIdentity() {
        PkiFiles pki = PkiFiles.in(dataDir);
        X509Certificate cert = ClusterPki.checkNodeCertificate(pki, node);
        signer = new NodeSigner(node, Pem.readPrivateKey(pki.nodeKey()), cert);
        authorKeys = new AuthorKeys(Pem.readCertificate(pki.caCertificate()));
        authorKeys.useRevocations(revocations);
        authorKeys.learn(node, cert);
        learnStoredCertificates();
        originCheck = new OriginCheck(authorKeys, refusals, env.wallMillis());
        pairTags = new PairTags(signer, authorKeys, refusals, env.wallMillis());
        sealTags = new SealTags(signer, authorKeys, pairTags, originCheck, refusals, env.wallMillis());
        controlCheck = new ControlCheck(authorKeys, refusals, node, env.wallMillis(), PULL_WINDOW.toMillis(), this::unverifiedPeer);
        authorKeys.onNewKey(this::peerHasNewKey);
    }

    /**
     * A peer this node hears but cannot verify: it lacks the peer's certificate, and the peer
     * probably lacks this node's. A catching-up node waits for it (bounded) rather than concluding
     * it is alone.
     */
    private void unverifiedPeer(String peer) {
        catchUp.heardUnverified(peer);
        certificateMissingAtPeer();
    }

    /**
     * A key of a peer not known before: the peer is new, or back with a new key (a new disk), and
     * then knows none of the cluster's keys; it learns this node's from the re-sent certificate.
     * Called on the sync thread (entries are checked there), and while loading the identity.
     */
    private void peerHasNewKey(String peer) {
        if (running && !peer.equals(node)) {
            certificateMissingAtPeer();
        }
    }

    /** The peers' certificates this CDB already holds (journal, or a sync restarted on a live CDB). */
    private void learnStoredCertificates() {
        for (ObjectKey k : cdb.reportedKeys(ObjectType.SERVICE)) {
            for (MetaEntry m : cdb.meta(k, null)) {
                try {
                    authorKeys.learnStored(m);
                } catch (IllegalArgumentException bad) {
                    LOG.warnf("node %s keeps stored %s but does not trust it: %s", node, k, bad.getMessage());
                }
            }
        }
    }

    /**
     * Rotates the cluster secret of the running node through the two key slots: from now on
     * datagrams are sent under {@code secret} and accepted under it or {@code previous}. The
     * no-downtime sequence, run on every node before the next step: {@code useSecrets(old, new)},
     * then {@code useSecrets(new, old)}, then {@code useSecrets(new, empty)}.
     *
     * @throws IllegalStateException if the sync is not started
     * @throws IllegalArgumentException if a secret is too short
     */
    public void useSecrets(String secret, Optional<String> previous) {
        ClusterKeys k = keys;
        if (k == null) {
            throw new IllegalStateException("sync of node " + node + " is not started: set the secrets in its settings instead");
        }
        k.use(secret, previous);
        LOG.infof("cluster sync of node %s now sends under key %08x%s", node, k.currentKeyId(), previous.isPresent() ? " and accepts the previous secret too" : "");
    }

    /** Publishes this node's certificate in the CDB, where every peer (and every later one) finds it. */
    private void publishCertificate() {
        cdb.updateMeta(CertificateMeta.key(node, signer.keyId()), values -> CertificateMeta.values(signer.certificate(), bridge));
    }

    /**
     * Makes this node the L3 bridge's relay into this cluster: entries of the remote cluster's nodes
     * that its bridge merged carry no seal of this cluster, so this node seals them as the bridge
     * (and says so in its published certificate). Peers accept such seals only for authors that are
     * not members of this cluster. Call before or after start.
     */
    public void relayBridgedEntries() {
        bridge = true;
        if (running) {
            publishCertificate();
        }
    }

    /**
     * A peer whose key this node lacks probably lacks this node's as well (both started after the
     * other's first delta): re-send ours, at most once per heartbeat interval, so both learn each
     * other's from the heartbeats that follow.
     */
    private void certificateMissingAtPeer() {
        long now = env.nanoTime().getAsLong();
        if (now - lastCertificateResendNanos >= settings.heartbeatInterval().toNanos()) {
            lastCertificateResendNanos = now;
            resendCertificate();
        }
    }

    private void resendCertificate() {
        List<io.acp.model.MetaEntry> mine = cdb.meta(CertificateMeta.key(node, signer.keyId()), node);
        if (!mine.isEmpty()) {
            bundle(mine.get(0));
        }
    }

    /** Stops sending and receiving; pending deltas are flushed first. The CDB stays open. */
    public Uni<Void> stop() {
        return Uni.createFrom().item(() -> {
                    stopNow();
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    private synchronized void stopNow() {
        if (!running) {
            return;
        }
        running = false;
        changes.cancel();
        executor.execute(() -> {
            sender.flush(env.nanoTime().getAsLong());
            sender.sealTaggedNow(); // so the peers can relay this node's last entries once it is gone
            sender.sealTaggedNow(); // and once more, as a heartbeat would have
        });
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        transport.close();
        marks.saveNow(replay.marks());
        LOG.infof("cluster sync of node %s stopped (epoch %d)", node, epoch);
    }

    // ---- local changes -> deltas ----------------------------------------------------------------

    private void onChange(Entry e) {
        index.update(e);
        if (e instanceof ObjectEntry o && o.deleted()) {
            index.replaceSideEntries(o.key(), cdb.reports(o.key(), null));
        }
        boolean echoOfMerge = e.node().equals(node) && e.version().equals(ownEntriesFromPeers.get(EntrySlot.of(e)));
        if (echoOfMerge && e instanceof StatsEntry) {
            ownStats.seen(e.key()); // a series of this node's from before its restart, given back by a peer
        }
        if (running && e instanceof StatsEntry s && s.node().equals(node) && !echoOfMerge) {
            quietStats.changed(s);
        }
        if (running && e.node().equals(node) && !echoOfMerge) {
            bundle(e);
        }
    }

    /**
     * Queues one of this node's entries in the bundler and makes sure a flush is planned for when
     * the bundler says it is due (at once when idle; later, fuller, when the sync thread is behind).
     * Any thread.
     */
    private void bundle(Entry e) {
        if (bundler.add(e, env.nanoTime().getAsLong()) != DeltaBundler.Added.OVERFLOW) {
            planFlush();
        }
    }

    /** Plans the flush task for the time the bundler names, unless one is planned no later. */
    private void planFlush() {
        long now = env.nanoTime().getAsLong();
        long at = bundler.sendAt(now, inbox.backlog());
        if (at == Long.MAX_VALUE) {
            return;
        }
        long planned = flushPlannedAt.get();
        while (planned == Long.MAX_VALUE || at - planned < 0) {
            if (flushPlannedAt.compareAndSet(planned, at)) {
                try {
                    executor.schedule(guarded(this::flushTask), Math.max(0, at - now), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException stopping) {
                    // stop() flushes what is pending
                }
                return;
            }
            planned = flushPlannedAt.get();
        }
    }

    private void flushTask() {
        flushPlannedAt.set(Long.MAX_VALUE);
        flushIfDue();
        planFlush(); // what is still pending (not due yet, or written meanwhile) gets its own time
    }

    /**
     * A received message, with a due flush before and after it: a flush never waits behind the
     * backlog of received messages (a task planned for it would run only after them), which keeps
     * the wait of this node's deltas bounded by the linger however far behind the thread is.
     */
    /** {@link #handleBetweenFlushes} as {@link #guarded} runs a task, without two lambdas per message. */
    private void handleGuarded(Reassembler.Message m, InetSocketAddress from) {
        try {
            handleBetweenFlushes(m, from);
        } catch (RuntimeException e) {
            LOG.errorf(e, "cluster sync task of node %s failed", node);
        }
    }

    private void handleBetweenFlushes(Reassembler.Message m, InetSocketAddress from) {
        flushIfDue();
        handle(m, from);
        flushIfDue();
    }

    private void flushIfDue() {
        long now = env.nanoTime().getAsLong();
        if (running && bundler.due(now, inbox.backlog())) {
            sender.flush(now);
        }
    }

    // ---- received datagrams -------------------------------------------------------------------

    private void handle(Reassembler.Message m, InetSocketAddress from) {
        DatagramHeader h = m.header();
        if (authorKeys.revoked(h.sender())) {
            refusals.refused(Refusal.REVOKED, h.sender(), "a " + h.type() + " message", "every certificate of node " + h.sender() + " is revoked");
            return;
        }
        try {
            if (m.pastWindow()) {
                heardPastWindow(h, m.body(), from);
                return;
            }
            switch (h.type()) {
                case HEARTBEAT -> controlCheck.heartbeat(h.sender(), h.epoch(), m.body()).ifPresent(hb -> heard(h.sender(), h.epoch(), hb, from));
                case DELTA -> intake.merge(h.sender(), SealedCodec.decode(m.body(), setKeys), true);
                case TAGGED_DELTA -> {
                    Optional<List<Entry>> entries = pairTags.open(h.sender(), h.epoch(), m.body());
                    if (entries.isPresent()) { // no capturing lambda per message
                        intake.mergeTagged(h.sender(), entries.get());
                        if (!membership.knows(h.sender())) {
                            unheardAuthors.tookReports(h.sender(), h.epoch(), env.wallMillis().getAsLong());
                        }
                    }
                }
                case SEAL_TAGS -> sealTags.open(h.sender(), h.epoch(), m.body());
                case RETURNED -> {
                    Optional<List<Entry>> entries = pairTags.openReturned(h.sender(), h.epoch(), m.body());
                    if (entries.isPresent()) {
                        intake.takeReturned(h.sender(), entries.get());
                    }
                }
                case ENTRIES -> {
                    AntiEntropy.Received answer = antiEntropy.received(h.sender(), m.body());
                    intake.merge(h.sender(), answer.entries(), false);
                    if (answer.pullAgain()) {
                        membership.peer(h.sender()).ifPresent(this::pull); // a whole answer arrived and the peer has more
                    }
                }
                case PULL -> {
                    Optional<byte[]> buckets = controlCheck.pull(h.sender(), h.epoch(), m.body());
                    if (buckets.isEmpty()) {
                        return;
                    }
                    counters.pullServed();
                    AntiEntropy.Answer answer = antiEntropy.answer(buckets.get(), outbox.maxBody(), sender::sealedForRelay, sender::ownToSeal,
                            signer::sealEncoded);
                    for (byte[] body : answer.bodies()) {
                        outbox.toPeer(MessageType.ENTRIES, body, from);
                    }
                    if (answer.entries() > 0 && !answer.own() && !antiEntropy.farBehind(h.sender())) {
                        pullBack(h.sender(), from);
                    }
                    returnUnsealedObjectsTo(h.sender(), from);
                }
            }
        } catch (IllegalArgumentException e) {
            counters.dropped(DropReason.MALFORMED);
            LOG.debugf("malformed %s message from node %s dropped: %s", h.type(), h.sender(), e.getMessage());
        }
    }

    /**
     * A heartbeat the replay window refused: if its chain proves it the sender's next one, the
     * window was pushed past the sender's real datagrams (only a holder of the cluster secret can
     * do that: a datagram in the member's name with a higher sequence or a later epoch). The
     * member is then heard alive, the window set back to this heartbeat's epoch and sequence, so
     * the member's datagrams after it are taken again, and the push counted and logged
     * (docs/security.md).
     */
    private void heardPastWindow(DatagramHeader h, byte[] body, InetSocketAddress from) {
        Optional<ControlCheck.Heartbeat> hb = controlCheck.heartbeatPastWindow(h.sender(), h.epoch(), body);
        if (hb.isEmpty()) {
            return;
        }
        counters.heartbeatPastWindow();
        replay.pullBack(h.sender(), h.epoch(), h.sequence());
        if (pushedWindowLog.count() > 0) {
            LOG.warnf("node %s took a heartbeat of node %s (epoch %d, sequence %d) that its replay window refused but the node's hash chain"
                    + " proves fresh: the window was pushed ahead, which only a datagram from a holder of the cluster secret does."
                    + " The window is set back to this heartbeat, so node %s's datagrams after it are taken again; those sent since"
                    + " the push were dropped here and come back by anti-entropy. Rotate the cluster secret (acp cluster rotate-secret)"
                    + " (heartbeats taken past the window so far: %d)",
                    node, h.sender(), h.epoch(), h.sequence(), h.sender(), counters.heartbeatsPastWindowCount());
        }
        heard(h.sender(), h.epoch(), hb.get(), from);
    }

    /**
     * A heartbeat proven to be the sender's: only these move membership (alive, epoch, address) and
     * the digest the peer announced. The address is the one the sender signed, not the datagram's
     * source, so a copy re-sent from elsewhere moves nothing; unless the sender is bound to the
     * wildcard address and so could not sign a concrete one.
     */
    private void heard(String sender, long senderEpoch, ControlCheck.Heartbeat hb, InetSocketAddress from) {
        InetSocketAddress at = hb.address().getAddress().isAnyLocalAddress() ? from : hb.address();
        // an author never heard before may still have reports here, taken under tags in an older life
        OptionalLong unheardLife = unheardAuthors.isEmpty() ? OptionalLong.empty() : unheardAuthors.heard(sender);
        long epochBefore = membership.peer(sender).map(Peer::epoch).orElse(unheardLife.orElse(senderEpoch));
        if (senderEpoch > epochBefore) {
            unrelayable.forget(sender, UnrelayableReports.AuthorGone.RESTARTED);
            returns.authorRestarted(sender);
        }
        membership.heard(sender, senderEpoch, at).ifPresent(p -> {
            resendCertificate(); // a peer new or back may have missed it, and needs it before our other entries
            publishPeer(p);
        });
        if (antiEntropy.heardHeartbeat(sender, hb.digestPart())) {
            catchUp.sameRoot(sender);
        } else {
            antiEntropy.considerOwnStream(sender); // far behind: pull what it wrote from the writer itself
        }
    }

    /**
     * Hands back to an author that pulls the objects of its this node holds without their seal
     * ({@link ObjectReturns#dueOnPull}): the answers to its pull cannot carry them, so each pull
     * brings them this way, and the author does not take answers that lack them for its being ready.
     */
    private void returnUnsealedObjectsTo(String author, InetSocketAddress from) {
        long now = env.wallMillis().getAsLong();
        List<AuthorKeys.MemberKey> keys = authorKeys.validKeysOf(author, now);
        if (keys.isEmpty()) {
            return;
        }
        List<ObjectEntry> due = returns.dueOnPull(author, now);
        if (due.isEmpty()) {
            return;
        }
        for (byte[] body : pairTags.encodeReturned(due, keys, epoch, outbox.maxBody())) {
            outbox.toPeer(MessageType.RETURNED, body, from);
        }
        counters.objectsReturned(due.size());
    }

    /** Hands objects whose seal is late back to their authors, each under this node's pair tag for the author's keys. */
    private void returnUnsealedObjects() {
        long now = env.wallMillis().getAsLong();
        for (Map.Entry<String, List<ObjectEntry>> due : returns.due(now, this::isAlive).entrySet()) {
            Optional<Peer> author = membership.peer(due.getKey());
            List<AuthorKeys.MemberKey> keys = authorKeys.validKeysOf(due.getKey(), now);
            if (author.isEmpty() || keys.isEmpty()) {
                continue;
            }
            for (byte[] body : pairTags.encodeReturned(due.getValue(), keys, epoch, outbox.maxBody())) {
                outbox.toPeer(MessageType.RETURNED, body, author.get().address());
            }
            counters.objectsReturned(due.getValue().size());
        }
        returnsTracked = returns.tracked();
        returnsGivenUp = returns.givenUp();
    }

    /** Whether a certificate of {@code node} from this cluster's CA is known here. Sync thread. */
    private boolean isMember(String node) {
        AuthorKeys k = authorKeys;
        return k != null && k.member(node);
    }

    // ---- heartbeats, membership, anti-entropy -------------------------------------------------

    private void heartbeat() {
        forgetCollectedTombstones();
        sender.sealTagged();
        marks.saveLater(replay.marks()); // not on this thread: a slow disk would hold every delta behind it
        outbox.toAll(MessageType.HEARTBEAT, control.heartbeat(AntiEntropy.heartbeatBody(index.root(), index.size())));
        if (++heartbeatsSent % CERTIFICATE_RESEND_HEARTBEATS == 0) {
            resendCertificate();
        }
        List<StatsEntry> resend = quietStats.tick(env.wallMillis().getAsLong(), s -> cdb.stats(s.key(), node).contains(s));
        if (!resend.isEmpty()) {
            resend.forEach(this::bundle);
        }
        returnUnsealedObjects();
        for (Peer p : membership.tick()) {
            publishPeer(p);
            if (p.state() == PeerState.DEAD) {
                unrelayable.forget(p.node(), UnrelayableReports.AuthorGone.DEAD); // if it comes back, as after a restart
            }
        }
        if (!unheardAuthors.isEmpty()) {
            for (String silent : unheardAuthors.silentFor(env.wallMillis().getAsLong(), settings.deadAfter().toMillis())) {
                unrelayable.forget(silent, UnrelayableReports.AuthorGone.UNHEARD);
            }
        }
        List<String> alive = alivePeers();
        long now = env.nanoTime().getAsLong();
        if (cdb.readiness() != Readiness.READY && catchUp.ready(alive, now)) {
            LOG.infof("node %s holds the cluster's state (%s)", node, catchUp.describe(alive, now));
            cdb.readiness(Readiness.READY);
        }
        if (lastPulled != null && catchUp.roundBroughtMissed(lastPulled) && now - lastPullNanos >= settings.heartbeatInterval().toNanos()) {
            // the last answer brought entries this node had missed (catching up, or a gap after loss): pull again now
            // rather than a whole interval later; what the last pull left out as not settled yet is settled by now
            antiEntropyRound();
        }
    }

    private List<String> alivePeers() {
        List<String> alive = new ArrayList<>();
        for (Peer p : membership.view()) {
            if (p.state() == PeerState.ALIVE) {
                alive.add(p.node());
            }
        }
        return alive;
    }

    /** Keeps the digest true to the CDB after its tombstone collection, which publishes no change. */
    private void forgetCollectedTombstones() {
        for (ObjectEntry t : index.tombstones()) {
            if (cdb.entry(t.key()).isEmpty()) {
                index.forgetCollected(t);
                seals.forget(t);
            }
        }
    }

    /** Pulls the peers whose answers are not arriving: a stream's last body pulls the next part itself. */
    private void antiEntropyRound() {
        for (String peer : antiEntropy.peersToPull(this::isAlive)) {
            membership.peer(peer).ifPresent(this::pull);
        }
    }

    private void pull(Peer peer) {
        lastPulled = peer.node();
        lastPullNanos = env.nanoTime().getAsLong();
        catchUp.pulled(peer.node(), cdb.clock().now(), lastPullNanos);
        counters.pullSent();
        outbox.toPeer(MessageType.PULL, control.pull(antiEntropy.pullBody(peer.node()), peer.node(), env.wallMillis().getAsLong()), peer.address());
    }

    /**
     * A puller that differs from us probably also holds what we lack: pull it back at once rather
     * than at our next round (push-pull halves the rounds to converge). Not if we pulled anyone
     * within the last half interval, so two nodes never keep pulling each other back; nor a puller
     * far behind (the caller checks), which would only send back what we have.
     */
    private void pullBack(String puller, InetSocketAddress from) {
        long now = env.nanoTime().getAsLong();
        if (now - lastPullNanos < settings.antiEntropyInterval().toNanos() / 2) {
            return;
        }
        lastPullNanos = now;
        catchUp.pulled(puller, cdb.clock().now(), now);
        counters.pullSent();
        outbox.toPeer(MessageType.PULL, control.pull(antiEntropy.pullBody(puller), puller, env.wallMillis().getAsLong()), from);
    }

    private boolean isAlive(String peer) {
        return membership.peer(peer).map(p -> p.state() == PeerState.ALIVE).orElse(false);
    }

    private void publishPeer(Peer p) {
        if (MembershipMeta.publish(cdb, p).isEmpty()) {
            LOG.debugf("peer id '%s' is not a valid object id; its membership is not published", p.node());
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "cluster sync task of node %s failed", node);
            }
        };
    }

    // ---- views for stats, tests and the lead's wiring -----------------------------------------

    public String node() {
        return node;
    }

    public long epoch() {
        return epoch;
    }

    public boolean running() {
        return running;
    }

    /** Every peer this node has heard since it started, with its state. */
    public List<Peer> membership() {
        return membership.view();
    }

    /** The digest other nodes compare with: equal digests mean equal CDB state. */
    public StateDigest digest() {
        return new StateDigest(index.root(), index.size());
    }

    /** Whether every live peer last announced this node's digest. */
    public boolean agreesWithPeers() {
        return antiEntropy.agreesWith(this::isAlive);
    }

    /**
     * The members that may lack something this node holds, sorted: every node with a valid,
     * unrevoked certificate known here (other than this one) that is not alive, or whose last
     * announced digest root is not this node's; and every live peer that announced another root.
     * Empty means every member holds this node's state, tombstones included, so they may be
     * collected. A member that is away (stopped, partitioned) keeps its place here until it is back
     * and holds them, or its certificate is revoked or expires: otherwise it would come back with
     * an object whose delete it never saw, and offer it to the cluster as new (docs/protocol.md,
     * "Deleted objects"). Callable from any thread.
     */
    public List<String> membersNotHoldingThisState() {
        java.util.TreeSet<String> behind = new java.util.TreeSet<>();
        AuthorKeys keys = authorKeys;
        if (keys != null) {
            for (AuthorKeys.MemberKey k : keys.validKeysOfOthers(node, env.wallMillis().getAsLong(), Integer.MAX_VALUE)) {
                if (!isAlive(k.node()) || !antiEntropy.announcedOurRoot(k.node())) {
                    behind.add(k.node());
                }
            }
        }
        for (Peer p : membership.view()) {
            if (p.state() == PeerState.ALIVE && !antiEntropy.announcedOurRoot(p.node())) {
                behind.add(p.node());
            }
        }
        return List.copyOf(behind);
    }

    /** Entries refused from {@code sender} because their version was too far ahead of this node's clock. */
    public long refusedClockAhead(String sender) {
        return clockAhead.from(sender);
    }

    /** Protocol counters (drops by reason, entries sent and merged, pulls). */
    public SyncCounters counters() {
        return counters;
    }

    /** Entries refused by origin authentication, by rule and by sender. */
    public OriginCounters refusals() {
        return refusals;
    }

    /**
     * Authors whose stats sets' keys and targets this node keeps (the larger of the two counts; see
     * {@link StatsSetKeys}): what a sender can make it hold. Asked on the sync thread (tests).
     *
     * @throws IllegalStateException if the sync is not running or does not answer within 5 s
     */
    public int statsSetAuthorsKept() {
        return onSyncThread(() -> Math.max(setKeys.authors(), setTargets.authors()));
    }

    /**
     * Peers this node heard but could not verify, as its catch-up remembers them (bounded: any
     * holder of the cluster secret can send heartbeats under names nobody certified). For tests;
     * asks the sync thread.
     *
     * @throws IllegalStateException if the sync is not running or does not answer within 5 s
     */
    public int peersHeardUnverified() {
        return onSyncThread(() -> catchUp.unverifiedCount());
    }

    private <T> T onSyncThread(java.util.concurrent.Callable<T> question) {
        ScheduledExecutorService e = executor;
        if (e == null) {
            throw new IllegalStateException("sync of node " + node + " is not running");
        }
        try {
            return e.submit(question).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.RejectedExecutionException ex) {
            throw new IllegalStateException("sync of node " + node + " did not answer: " + ex, ex);
        }
    }

    /** Datagram counts of the transport; zeros before start. */
    public TransportCounters transportCounters() {
        return transport == null ? new TransportCounters() : transport.counters();
    }

    /** All counters by stat name, for node stats. */
    public Map<String, Long> stats() {
        Map<String, Long> out = counters.snapshot();
        out.putAll(refusals.snapshot());
        TransportCounters t = transportCounters();
        out.put("sync.datagrams.sent", t.sent());
        out.put("sync.datagrams.received", t.received());
        out.put("sync.datagrams.send-failed", t.sendFailed());
        out.putAll(clockAhead.snapshot());
        out.put("sync.deltas.untagged", pairTags == null ? 0 : pairTags.untagged());
        out.put("sync.deltas.bundles", bundler == null ? 0 : bundler.bundles());
        out.put("sync.deltas.overflowed", bundler == null ? 0 : bundler.overflowed());
        out.put("sync.seals.untagged", sealTags == null ? 0 : sealTags.untagged());
        out.put("sync.seals.verified", originCheck == null ? 0 : originCheck.signaturesVerified());
        out.put("sync.seals.vouched", originCheck == null ? 0 : originCheck.sealsVouched());
        out.put("sync.seals.awaiting", sender == null ? 0L : (long) sender.awaitingSeal());
        out.put("sync.objects.returning", (long) returnsTracked);
        out.put("sync.objects.given-up", returnsGivenUp);
        return out;
    }

    /**
     * The sealed form of exactly this entry (same version) as this node holds it: its author's
     * seal, as received or as this node sealed it when it sent it. What the L3 bridge relays to the
     * remote cluster. Thread-safe.
     */
    public Optional<SealedEntry> sealed(Entry e) {
        return Optional.ofNullable(seals.get(e));
    }

    /** Where this node's datagrams come from (and unicast to it goes); only once started. */
    public InetSocketAddress address() {
        if (transport == null) {
            throw new IllegalStateException("sync of node " + node + " is not started");
        }
        return transport.localAddress();
    }
}
