package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.PairTags;
import io.acp.cluster.sync.origin.SealTags;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.origin.SetsOnce;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Entry;
import io.acp.model.StatsEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * How this node's own entries leave it, and under which proof: a flush of the bundler under pair
 * tags (a small group) or sealed (a large group, a bridge, a certificate), the seal of the tagged
 * entries at each heartbeat (sent twice, so peers can relay them), and the sealed forms anti-entropy
 * relays. When a flush happens is {@link ClusterSync}'s business (its bundler and its sync thread);
 * what goes out, here. See docs/protocol.md, "Tagged deltas" and "Seal tags". Sync thread only.
 */
final class DeltaSender {

    private static final Logger LOG = Logger.getLogger(DeltaSender.class);

    private final String node;
    private final long epoch;
    private final DeltaBundler bundler;
    private final NodeSigner signer;
    private final SealStore seals;
    private final PairTags pairTags;
    private final SealTags sealTags;
    private final AuthorKeys authorKeys;
    private final Outbox outbox;
    private final SyncCounters counters;
    /** Whether this node is an L3 bridge (set once it publishes itself as one): it then seals every flush. */
    private final BooleanSupplier bridge;
    /** This node's stats series, as a sealed flush sends them: in stats sets. */
    private final OwnStatsSets ownStats;
    /** This node's clock, which dates its stats sets. */
    private final LongSupplier clock;
    /** Whether this node holds the cluster's state (its own series from before a restart among it). */
    private final BooleanSupplier holdsClusterState;
    /** The entries sealed at the last heartbeat: sent again once at the next, unless superseded. */
    private List<Entry> sealedAtLastHeartbeat = List.of();
    /** Signs heartbeats' seals off the sync thread; null: on it. */
    private final Executor sealer;
    /** The sync thread, where a seal signed by {@link #sealer} is sent. */
    private final Executor syncThread;
    /** Heartbeats' seals being signed, not sent yet, oldest first; sync thread only. */
    private final ArrayDeque<Sealing> inFlight = new ArrayDeque<>();
    /** Entries of {@link #inFlight} still to sign, for readers on other threads (stats). */
    private volatile int signing;
    /** Longest the stop waits for a seal being signed (a signature takes a millisecond or so). */
    private static final long SEALING_WAIT_SECONDS = 2;

    DeltaSender(String node, long epoch, DeltaBundler bundler, NodeSigner signer, SealStore seals, PairTags pairTags, SealTags sealTags,
                AuthorKeys authorKeys, Outbox outbox, SyncCounters counters, BooleanSupplier bridge, OwnStatsSets ownStats, LongSupplier clock,
                BooleanSupplier holdsClusterState, Executor sealer, Executor syncThread) {
        this.holdsClusterState = holdsClusterState;
        this.sealer = sealer;
        this.syncThread = syncThread;
        this.node = node;
        this.epoch = epoch;
        this.bundler = bundler;
        this.signer = signer;
        this.seals = seals;
        this.pairTags = pairTags;
        this.sealTags = sealTags;
        this.authorKeys = authorKeys;
        this.outbox = outbox;
        this.counters = counters;
        this.bridge = bridge;
        this.ownStats = ownStats;
        this.clock = clock;
    }

    /**
     * Sends what is pending. In a small group (at most {@link PairTags#MAX_TAGS} member keys, no L3
     * bridge) the entries go out under pair tags, which cost no signature, and are sealed at the next
     * heartbeat; otherwise, and for certificates always, they are sealed now (one signature per
     * flush). See docs/protocol.md, "Tagged deltas".
     */
    void flush(long nowNanos) {
        List<Entry> batch = bundler.drain(nowNanos);
        if (batch.isEmpty()) {
            return;
        }
        List<AuthorKeys.MemberKey> receivers = bridge.getAsBoolean() ? null : pairTags.receivers();
        bundler.signedFlushes(receivers == null);
        if (receivers == null) {
            sendSealed(batch);
            counters.entriesSent(batch.size());
            return;
        }
        List<Entry> certificates = new ArrayList<>();
        List<Entry> tagged = new ArrayList<>(batch.size());
        for (Entry e : batch) {
            (CertificateMeta.isCertificateMeta(e) ? certificates : tagged).add(e);
        }
        sendSealed(certificates);
        for (byte[] body : pairTags.encode(tagged, receivers, epoch, outbox.maxBody())) {
            outbox.toAll(MessageType.TAGGED_DELTA, body);
        }
        bundler.sentTagged(tagged);
        counters.entriesSent(batch.size());
    }

    /**
     * Seals entries of this node as one batch (one signature) and multicasts them as DELTA bodies;
     * its stats go as the stats sets of the parts they fall in (docs/protocol.md, "Stats sets").
     */
    private void sendSealed(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<SealedEntry> sealed = asLeaves(entries).seal(signer);
        sealed.forEach(seals::put);
        multicastSealed(sealed);
    }

    /**
     * Multicasts sealed entries of this node as DELTA bodies, each batch preceded by its seal tags,
     * so a receiver that hears it from this node takes the seal without verifying it (docs/protocol.md,
     * "Seal tags").
     */
    private void multicastSealed(List<SealedEntry> sealed) {
        for (SealTags.Batch batch : sealTags.batches(sealed)) {
            sealTags.encode(batch, epoch, outbox.maxBody()).forEach(body -> outbox.toAll(MessageType.SEAL_TAGS, body));
        }
        SealedCodec.pack(sealed, outbox.maxBody(), Integer.MAX_VALUE).forEach(body -> outbox.toAll(MessageType.DELTA, body));
    }

    /**
     * Seals the entries sent under pair tags since the last heartbeat (the latest of each slot; one
     * sealed meanwhile for an anti-entropy answer keeps that seal) and multicasts them, with the
     * ones of the heartbeat before once more unless their slot has a newer seal by now:
     * peers that hold them keep the seal for relaying, peers that missed them merge them. A seal is
     * what lets a peer relay an entry after its author lost it (a restart drops meta and stats), so
     * it goes out twice, at two heartbeats, under one signature.
     */
    void sealTagged() {
        Sealing sealing = drainForSealing();
        if (sealer == null || (sealing.unsealed.isEmpty() && inFlight.isEmpty())) {
            sealing.sign(signer);
            send(sealing);
            return;
        }
        // signed on the sealer's thread and sent back here, in the order of the heartbeats (one
        // sealer thread, one sync thread), so the node's writes meanwhile go out under tags at once
        inFlight.addLast(sealing);
        signing += sealing.unsealed.size();
        sealing.signing = new FutureTask<>(() -> {
            sealing.sign(signer);
            try {
                syncThread.execute(() -> send(sealing));
            } catch (RejectedExecutionException stopping) {
                // the stop sends it itself (sealTaggedNow)
            }
            return null;
        });
        try {
            sealer.execute(sealing.signing);
        } catch (RejectedExecutionException e) {
            sealing.signing.run();
        }
    }

    /**
     * As {@link #sealTagged}, all on this thread, after the seals still being signed, in their
     * order: the last seals at the node's stop, which must not be lost or overtaken.
     */
    void sealTaggedNow() {
        for (Sealing pending : List.copyOf(inFlight)) {
            try {
                pending.signing.run(); // here and now, unless the sealer has taken it up already
                pending.signing.get(SEALING_WAIT_SECONDS, TimeUnit.SECONDS);
                send(pending);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("a seal of node %s's tagged deltas was not signed: %s", node, e);
                if (inFlight.remove(pending)) {
                    signing -= pending.unsealed.size();
                }
            }
        }
        Sealing sealing = drainForSealing();
        sealing.sign(signer);
        send(sealing);
    }

    /**
     * This node's entries that peers hold under pair tags only, not sealed yet: sent since the last
     * heartbeat, or drained by it and still being signed. A peer cannot relay them until the seal
     * comes; should this node lose its disk meanwhile, they stay on the peers that hold them and do
     * not come back to it (docs/protocol.md, "Tagged deltas"). Any thread.
     */
    int awaitingSeal() {
        return bundler.awaitingSeal() + signing;
    }

    /** The entries sent under pair tags since the last heartbeat: those to sign, and those sealed meanwhile. */
    private Sealing drainForSealing() {
        Sealing sealing = new Sealing();
        for (Entry e : bundler.drainAwaitingSeal()) {
            SealedEntry held = seals.get(e);
            if (held == null) {
                sealing.unsealed.add(e);
            } else {
                sealing.current.add(held); // sealed meanwhile for an anti-entropy answer, which went to one peer only
            }
        }
        // this node's stats go as the stats sets of their parts, as in a sealed flush: a few leaves
        // instead of one per sample, each set checked and kept once by every peer, and smaller on
        // the wire; every peer takes the heartbeat's seal at once, so its cost is the tail of
        // propagation (docs/benchmarks.md, "Stats sets in the heartbeat's seal")
        sealing.leaves = asLeaves(sealing.unsealed);
        return sealing;
    }

    /** What a batch of this node's entries is sealed as: its entries, and its stats as the stats sets of their parts. */
    private record Leaves(List<Entry> plain, List<Entry> setSamples, List<byte[]> sets) {

        /** One leaf per entry, stats too. */
        static Leaves each(List<Entry> entries) {
            return new Leaves(entries, List.of(), List.of());
        }

        /** One signature over them all, on whichever thread calls. */
        List<SealedEntry> seal(NodeSigner signer) {
            if (plain.isEmpty() && sets.isEmpty()) {
                return List.of();
            }
            return sets.isEmpty() ? signer.seal(plain) : signer.seal(plain, setSamples, sets);
        }
    }

    /**
     * {@code entries} with this node's stats as the stats sets of the parts they fall in, once this
     * node holds the cluster's state; one leaf per entry before. A set replaces, at every peer, the
     * seal of the part's last set, and one made after a restart but before the peers gave this node
     * its older series back would leave those out, unsealed and so never relayed back to it. Sync
     * thread (the sets' state).
     */
    private Leaves asLeaves(List<Entry> entries) {
        if (!holdsClusterState.getAsBoolean()) {
            return Leaves.each(entries);
        }
        List<Entry> plain = new ArrayList<>(entries.size());
        List<StatsEntry> stats = new ArrayList<>();
        for (Entry e : entries) {
            if (e instanceof StatsEntry sample && sample.node().equals(node)) {
                stats.add(sample);
            } else {
                plain.add(e);
            }
        }
        if (stats.isEmpty()) {
            return Leaves.each(plain);
        }
        List<Entry> setSamples = new ArrayList<>();
        List<byte[]> sets = new ArrayList<>();
        OwnStatsSets.Flush flush = ownStats.flush(stats, clock.getAsLong());
        plain.addAll(flush.single());
        for (OwnStatsSets.Leaf leaf : flush.sets()) {
            setSamples.add(leaf.sample());
            sets.add(leaf.encoded());
        }
        return new Leaves(plain, setSamples, sets);
    }

    /** Keeps and multicasts a heartbeat's seals, once they are signed; sync thread, once per heartbeat. */
    private void send(Sealing sealing) {
        if (sealing.signing != null && !inFlight.remove(sealing)) {
            return; // signed on the sealer and sent already: by the stop, before its hand-back ran
        }
        if (sealing.signing != null) {
            signing -= sealing.unsealed.size();
        }
        sealing.fresh.forEach(seals::put);
        List<SealedEntry> out = new ArrayList<>();
        for (Entry e : sealedAtLastHeartbeat) {
            // not superseded since, this heartbeat's seals included: under a steady write load
            // every slot is, and its older version would be decoded and ignored by every receiver
            // (the store holds one seal per slot and version, so the same version is the same seal)
            SealedEntry s = seals.get(e);
            if (s != null) {
                out.add(s);
            }
        }
        List<SealedEntry> current = sealing.current;
        current.addAll(sealing.fresh);
        out.addAll(current);
        // only the entries, which the CDB holds anyway: the sealed forms are in the seal store,
        // and a list of them kept for a heartbeat would survive a young collection (young pauses
        // copy what survives)
        List<Entry> sent = new ArrayList<>(current.size());
        current.forEach(s -> sent.add(s.entry()));
        sealedAtLastHeartbeat = sent;
        if (!out.isEmpty()) {
            multicastSealed(out);
        }
    }

    /** One heartbeat's seal of tagged deltas, from the drain to the multicast. */
    private static final class Sealing {
        final List<Entry> unsealed = new ArrayList<>();
        /** What is signed: the unsealed entries, this node's stats among them as stats sets once it holds the cluster's state. */
        Leaves leaves;
        final List<SealedEntry> current = new ArrayList<>();
        /** Written by the signing thread before it hands the sealing back (the executor's hand-over publishes it). */
        List<SealedEntry> fresh;
        /** Set when it is signed on the sealer; it then waits in {@code inFlight} until sent. */
        FutureTask<Void> signing;

        /** Signs what it holds as one batch (one signature), on whichever thread calls. */
        void sign(NodeSigner signer) {
            fresh = leaves.seal(signer);
        }
    }

    /**
     * The sealed form of entries to relay, in order: as their authors sealed them; this node's own
     * entries that lack one are sealed now, in one batch; a peer's entry whose seal this node does
     * not hold is left out (its author or another peer sends it).
     */
    List<SealedEntry> sealedForRelay(List<Entry> entries) {
        List<Entry> unsealedOwn = new ArrayList<>();
        List<Entry> unsealedBridged = new ArrayList<>();
        for (Entry e : entries) {
            if (seals.get(e) != null) {
                continue;
            }
            if (ownToSeal(e)) {
                unsealedOwn.add(e);
            } else if (bridge.getAsBoolean() && !authorKeys.member(SealedEntry.requiredAuthor(e))) {
                unsealedBridged.add(e);
            }
        }
        if (!unsealedOwn.isEmpty()) {
            signer.seal(unsealedOwn).forEach(seals::put);
        }
        if (!unsealedBridged.isEmpty()) {
            signer.sealBridged(unsealedBridged).forEach(seals::put);
        }
        List<SealedEntry> out = new ArrayList<>(entries.size());
        SetsOnce sets = new SetsOnce();
        for (Entry e : entries) {
            SealedEntry s = seals.get(e);
            if (s != null && sets.takes(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Whether this node wrote {@code e} and may seal it: its objects, and the meta and stats it reports. */
    boolean ownToSeal(Entry e) {
        return SealedEntry.requiredAuthor(e).equals(node) && (e.kind() == Entry.Kind.OBJECT || e.node().equals(node));
    }
}
