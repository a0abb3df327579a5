package io.acp.cluster.service;

import io.acp.cluster.Cdb;
import io.acp.cluster.journal.Journal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Periodic upkeep of a node's CDB: drops tombstones older than the TTL that every member has seen
 * (written before the last moment all of them held this node's state, see {@link AgreementHorizon}),
 * and compacts the journal once it has grown past its limit. A member that is away holds the
 * collection back, and the node says so, once an hour, naming it. Blocking (compaction writes
 * files): run it on a worker.
 */
final class ClusterMaintenance implements Runnable {

    private static final Logger LOG = Logger.getLogger(ClusterMaintenance.class);

    private final Cdb cdb;
    private final Journal journal;
    private final Duration tombstoneTtl;
    private final LongSupplier wallMillis;
    private final LongSupplier everyMemberAgreedAt;
    private final Supplier<List<String>> membersNotHoldingThisState;
    /** Wall ms of the last "kept" warning; it is repeated at most once per {@link #WARN_EVERY}. */
    private long warnedAt = Long.MIN_VALUE;
    static final Duration WARN_EVERY = Duration.ofHours(1);

    /** A node on its own: every member (itself) has seen every tombstone. */
    ClusterMaintenance(Cdb cdb, Journal journal, Duration tombstoneTtl, LongSupplier wallMillis) {
        this(cdb, journal, tombstoneTtl, wallMillis, () -> Long.MAX_VALUE, List::of);
    }

    /**
     * @param everyMemberAgreedAt wall ms when every member last held this node's state ({@link AgreementHorizon})
     * @param membersNotHoldingThisState the members that do not now, for the warning when they hold tombstones back
     */
    ClusterMaintenance(Cdb cdb, Journal journal, Duration tombstoneTtl, LongSupplier wallMillis, LongSupplier everyMemberAgreedAt,
                       Supplier<List<String>> membersNotHoldingThisState) {
        this.cdb = cdb;
        this.journal = journal;
        this.tombstoneTtl = tombstoneTtl;
        this.wallMillis = wallMillis;
        this.everyMemberAgreedAt = everyMemberAgreedAt;
        this.membersNotHoldingThisState = membersNotHoldingThisState;
    }

    /** One round; never throws, so a failed round does not stop the schedule. */
    @Override
    public void run() {
        try {
            // a tombstone some member lacks would let that member's older copy come back as new
            long now = wallMillis.getAsLong();
            long oldEnough = now - tombstoneTtl.toMillis();
            long agreed = everyMemberAgreedAt.getAsLong();
            int collected = cdb.collectTombstones(Math.min(oldEnough, agreed));
            if (collected > 0) {
                LOG.infof("collected %d tombstones older than %s", collected, tombstoneTtl);
            }
            if (agreed < oldEnough) {
                warnIfHeldBack(now, oldEnough, agreed);
            }
            if (journal.needsCompaction()) {
                long before = journal.journalBytes();
                cdb.compact();
                LOG.infof("journal %s compacted: %d bytes of journal folded into the snapshot", journal.directory(), before);
            }
        } catch (RuntimeException e) {
            LOG.errorf("CDB maintenance failed, retrying next round: %s", e.getMessage());
        }
    }

    /** Tombstones past their TTL are kept because a member has not held this node's state since: say which. */
    private void warnIfHeldBack(long now, long oldEnough, long agreed) {
        if (warnedAt != Long.MIN_VALUE && now - warnedAt < WARN_EVERY.toMillis()) {
            return;
        }
        int kept = cdb.tombstonesOlderThan(oldEnough);
        if (kept == 0) {
            return;
        }
        warnedAt = now;
        List<String> away = membersNotHoldingThisState.get();
        String since = agreed == Long.MIN_VALUE ? "this node started" : Instant.ofEpochMilli(agreed).toString();
        LOG.warnf("%d %s older than acp.cluster.tombstone-ttl (%s) %s kept, because not every member has held this node's "
                        + "state since %s; members that do not hold it now: %s. They are collected once those members are back and hold "
                        + "them; a node gone for good holds them back until its certificate is revoked (acp cluster revoke NODE) or expires",
                kept, kept == 1 ? "tombstone" : "tombstones", tombstoneTtl, kept == 1 ? "is" : "are", since,
                away.isEmpty() ? "none (they have just caught up)" : String.join(", ", away));
    }
}
