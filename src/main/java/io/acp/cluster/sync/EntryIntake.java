package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.MergeOutcome;
import io.acp.cluster.StatsTarget;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.OriginCheck;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.Refusal;
import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import io.acp.model.ObjectEntry;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Takes what peers send into the CDB: the entries of deltas, tagged deltas and anti-entropy
 * answers, after the checks of who may send what (a delta carries only its sender's entries; a
 * relayed entry needs its author's seal), and this node's own objects a member returned. What a
 * merge shows goes on to the catch-up (an answer brought something missed), the returns (an object
 * held without its seal) and the seal store. The protocol is in docs/protocol.md.
 *
 * <p>Sync thread only.
 */
final class EntryIntake {

    private static final Logger LOG = Logger.getLogger(EntryIntake.class);

    /** Where received entries go, and who hears what a merge showed. */
    record Parts(Cdb cdb, StateIndex index, SealStore seals, StatsSetTargets setTargets, CatchUp catchUp, AntiEntropy antiEntropy,
            ObjectReturns returns, ClockAheadRefusals clockAhead) {
    }

    /** How received entries are checked, and where that is counted. */
    record Checks(OriginCheck originCheck, Predicate<String> isMember, OriginCounters refusals, SyncCounters counters) {
    }

    private final String node;
    private final Parts parts;
    private final Checks checks;
    private final long startedMillis;
    private final LongSupplier nanoTime;
    /** Sends one of this node's objects again, as a write: its seal follows. */
    private final Consumer<ObjectEntry> sendAgain;
    /** This node's own entries that came back from a peer, by slot: their change events are echoes, not writes to send. */
    private final Map<EntrySlot, Version> ownEntriesFromPeers;
    /** The seal of the last stats set whose sample passed the origin check. */
    private Seal lastSetSealAccepted;

    /**
     * @param startedMillis       wall clock at this node's start: an own object returned with an older version is of an earlier life
     * @param ownEntriesFromPeers shared with the change listener, which may read it on any thread
     */
    EntryIntake(String node, Parts parts, Checks checks, long startedMillis, LongSupplier nanoTime, Consumer<ObjectEntry> sendAgain,
            Map<EntrySlot, Version> ownEntriesFromPeers) {
        this.node = node;
        this.parts = parts;
        this.checks = checks;
        this.startedMillis = startedMillis;
        this.nanoTime = nanoTime;
        this.sendAgain = sendAgain;
        this.ownEntriesFromPeers = ownEntriesFromPeers;
    }

    /** Sealed entries: a DELTA's ({@code mustOriginateAtSender}) or an anti-entropy answer's. */
    void merge(String sender, List<SealedEntry> entries, boolean mustOriginateAtSender) {
        if (!mustOriginateAtSender && checks.isMember().test(sender)) {
            parts.catchUp().answered(sender); // a node pulls only from members; an answer in any other name is no round's
        }
        for (SealedEntry s : certificatesFirst(entries)) {
            mergeOne(sender, s.entry(), s, mustOriginateAtSender);
        }
    }

    /**
     * The entries of a tagged delta whose pair tag proved the sender wrote them
     * ({@link io.acp.cluster.sync.origin.PairTags#open}); they carry no seal, which the next
     * heartbeat's DELTA of the sender brings.
     */
    void mergeTagged(String sender, List<Entry> entries) {
        for (Entry e : entries) {
            mergeOne(sender, e, null, true);
        }
    }

    /**
     * This node's own objects a member returned (see {@link ObjectReturns}): what it holds at the
     * same version goes out again, so its seal follows as for a write; what it lost with its disk
     * (a version from before this start that it does not hold) it takes back, journals, and sends
     * sealed once durable, as a write (it is no echo of a merge).
     */
    void takeReturned(String sender, List<Entry> entries) {
        int takenBack = 0;
        for (Entry e : entries) {
            ObjectEntry o = (ObjectEntry) e; // openReturned lets only this node's objects through
            Optional<ObjectEntry> held = parts.cdb().entry(o.key());
            switch (ObjectReturns.onReturned(o, held, startedMillis)) {
                case SEAL_AGAIN -> {
                    checks.counters().returnedSealedAgain();
                    sendAgain.accept(held.get());
                }
                case TAKE_BACK -> {
                    if (parts.cdb().mergeFrom(o) == MergeOutcome.TAKEN) {
                        checks.counters().returnedTakenBack();
                        takenBack++;
                        // something this node had missed came from the sender: its pull round was not clean
                        parts.catchUp().took(sender, o.version().time());
                    }
                }
                case STALE -> checks.counters().entryIgnored();
                case NOT_OF_AN_EARLIER_LIFE -> checks.refusals().refused(Refusal.NOT_AUTHOR, sender, "object " + o.key() + " (version " + o.version() + ")",
                        "node " + sender + " returns it as this node's, written since this node started, but this node holds no such version");
            }
        }
        if (takenBack > 0) {
            LOG.infof("node %s took back %d of its own objects from node %s that it no longer held: written before this start, which"
                    + " found none of them (a new disk), and held by %s without their seal", node, takenBack, sender, sender);
        }
    }

    /** @param s the entry's seal, or null if a pair tag proved its author */
    private void mergeOne(String sender, Entry e, SealedEntry s, boolean mustOriginateAtSender) {
        boolean tagProven = s == null;
        // asked for every sample of a set, in order, before anything may skip one (see StatsSetTargets)
        StatsTarget target = !tagProven && s.inStatsSet() ? parts.setTargets().of(s, e.key()) : null;
        if (mustOriginateAtSender && !e.node().equals(sender)) {
            // a delta carries only the sender's own entries; anything else is not ours to take
            checks.refusals().refused(Refusal.NOT_SENDER, sender, e.kind().wireName() + " " + e.key() + " of node " + e.node(),
                    "a DELTA from " + sender + " carries an entry of node " + e.node());
            return;
        }
        // a sample from its author is nearly always new, and its seal tag makes the check cheap: the
        // CDB's own merge tells a stale one apart, and looking the held version up first would cost
        // every sample a second look-up of its series (the first one out of the cache). Looked up
        // first for relayed entries, whose check of a stale one may cost a verification.
        Version held = mustOriginateAtSender && e.kind() == Entry.Kind.STATS ? null : heldVersion(e);
        if (held != null && !e.version().isNewerThan(held)) {
            // nothing to merge, so nothing to verify; but a held entry whose seal this node
            // lacks (loaded from its journal) gets it, so it can be relayed again
            if (!tagProven && e.version().equals(held) && parts.seals().get(e) == null && checks.originCheck().accept(s, sender)) {
                parts.seals().put(s);
            }
            checks.counters().entryIgnored();
            return;
        }
        // the other samples of a stats set whose first sample passed share its seal instance: the
        // same author, key and verified root, and the set's form makes each sample that author's
        Refusal refused = tagProven || s.seal() == lastSetSealAccepted ? null : checks.originCheck().refusal(s, sender);
        if (refused == null && !tagProven && s.seal() != lastSetSealAccepted && s.inStatsSet()) {
            lastSetSealAccepted = s.seal();
            checks.counters().statsSetAccepted();
        }
        if (refused != null) {
            if (refused == Refusal.UNKNOWN_AUTHOR && !mustOriginateAtSender) {
                if (checks.isMember().test(sender)) { // the catch-up follows the members this node pulls from, not any name an answer gives
                    parts.catchUp().couldNotVerify(sender, nanoTime.getAsLong());
                }
                parts.antiEntropy().lackedCertificate();
            }
            return;
        }
        // a stats seal is kept with its series, which the merge may be about to make
        boolean sealAfterMerge = !tagProven && e.kind() == Entry.Kind.STATS;
        if (!tagProven && !sealAfterMerge) {
            parts.seals().put(s);
        }
        if (e.node().equals(node)) {
            ownEntriesFromPeers.put(EntrySlot.of(e), e.version());
        }
        MergeOutcome outcome = target != null ? parts.cdb().mergeFrom((StatsEntry) e, target) : parts.cdb().mergeFrom(e);
        if (sealAfterMerge) {
            parts.seals().put(s);
        }
        switch (outcome) {
            case TAKEN -> {
                checks.counters().entryMerged();
                if (tagProven && e instanceof ObjectEntry o) {
                    parts.returns().tookTagged(o);
                }
                if (!mustOriginateAtSender && e instanceof ObjectEntry && checks.isMember().test(sender)) {
                    parts.catchUp().took(sender, e.version().time());
                }
            }
            case RESTORED -> {
                checks.counters().entryMerged();
                parts.index().update(e); // no change event comes for a report taken back (see UnrelayableReports)
            }
            case STALE -> checks.counters().entryIgnored();
            case TOO_FAR_AHEAD -> parts.clockAhead().refused(sender, e);
        }
    }

    /**
     * The entries with certificates moved to the front (an entry sealed under a key is checked after
     * the certificate that brings the key); the list itself in the usual case of none, so a delta
     * costs no copy.
     */
    private static List<SealedEntry> certificatesFirst(List<SealedEntry> entries) {
        int certificates = 0;
        for (SealedEntry s : entries) {
            if (CertificateMeta.isCertificateMeta(s.entry())) {
                certificates++;
            }
        }
        if (certificates == 0) {
            return entries;
        }
        List<SealedEntry> out = new ArrayList<>(entries.size());
        for (SealedEntry s : entries) {
            if (CertificateMeta.isCertificateMeta(s.entry())) {
                out.add(s);
            }
        }
        for (SealedEntry s : entries) {
            if (!CertificateMeta.isCertificateMeta(s.entry())) {
                out.add(s);
            }
        }
        return out;
    }

    /** The version this node holds of the entry's slot, or null. */
    private Version heldVersion(Entry e) {
        return switch (e.kind()) {
            case OBJECT -> parts.cdb().entry(e.key()).map(Entry::version).orElse(null);
            case META -> parts.cdb().latestMetaVersion(e.key(), e.node());
            case STATS -> parts.cdb().latestStatsVersion(e.key(), e.node());
        };
    }
}
