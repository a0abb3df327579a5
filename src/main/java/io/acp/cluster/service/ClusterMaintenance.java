package io.acp.cluster.service;

import io.acp.cluster.Cdb;
import io.acp.cluster.journal.Journal;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Periodic upkeep of a node's CDB: drops tombstones older than the TTL that every live member has
 * seen (written before the last moment all of them announced this node's digest, see
 * {@link AgreementHorizon}), and compacts the journal once it has grown past its limit. Blocking
 * (compaction writes files): run it on a worker.
 */
final class ClusterMaintenance implements Runnable {

    private static final Logger LOG = Logger.getLogger(ClusterMaintenance.class);

    private final Cdb cdb;
    private final Journal journal;
    private final Duration tombstoneTtl;
    private final LongSupplier wallMillis;
    private final LongSupplier everyLiveMemberAgreedAt;

    /** A node on its own: every member (itself) has seen every tombstone. */
    ClusterMaintenance(Cdb cdb, Journal journal, Duration tombstoneTtl, LongSupplier wallMillis) {
        this(cdb, journal, tombstoneTtl, wallMillis, () -> Long.MAX_VALUE);
    }

    /** @param everyLiveMemberAgreedAt wall ms when every live peer last held this node's state ({@link AgreementHorizon}) */
    ClusterMaintenance(Cdb cdb, Journal journal, Duration tombstoneTtl, LongSupplier wallMillis, LongSupplier everyLiveMemberAgreedAt) {
        this.cdb = cdb;
        this.journal = journal;
        this.tombstoneTtl = tombstoneTtl;
        this.wallMillis = wallMillis;
        this.everyLiveMemberAgreedAt = everyLiveMemberAgreedAt;
    }

    /** One round; never throws, so a failed round does not stop the schedule. */
    @Override
    public void run() {
        try {
            // a tombstone some live member lacks would let that member's older copy come back
            long horizon = Math.min(wallMillis.getAsLong() - tombstoneTtl.toMillis(), everyLiveMemberAgreedAt.getAsLong());
            int collected = cdb.collectTombstones(horizon);
            if (collected > 0) {
                LOG.infof("collected %d tombstones older than %s", collected, tombstoneTtl);
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
}
