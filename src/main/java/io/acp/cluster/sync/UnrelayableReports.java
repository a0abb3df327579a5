package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The meta and stats of a peer that this node holds without their seal, and so cannot relay:
 * forgotten when the peer restarts or dies (see {@link #forget}).
 *
 * <p>Sync thread only.
 */
final class UnrelayableReports {

    private static final Logger LOG = Logger.getLogger(UnrelayableReports.class);

    private final String node;
    private final Cdb cdb;
    private final StateIndex index;
    private final SealStore seals;
    private final SyncCounters counters;
    private final StatsSetTargets setTargets;
    private final StatsSetKeys setKeys;

    UnrelayableReports(String node, Cdb cdb, StateIndex index, SealStore seals, SyncCounters counters, StatsSetTargets setTargets,
            StatsSetKeys setKeys) {
        this.node = node;
        this.cdb = cdb;
        this.index = index;
        this.seals = seals;
        this.counters = counters;
        this.setTargets = setTargets;
        this.setKeys = setKeys;
    }

    /**
     * A peer restarted, or is dead: forgets the meta and stats it reported that this node holds
     * without their seal. Meta and stats are not journaled, so a restarted author no longer holds
     * them and will never seal them again, and a dead one seals nothing; without the seal this node
     * cannot relay them (only a sealed form is relayed), so a peer that lacks them (one that
     * restarts or joins later) could never get them from here, and the digests would differ for
     * good. Such an entry came under a pair tag whose seal, sent twice at the author's next
     * heartbeats and at its stop, was lost both times, or never sent: the author died first (a
     * crash leaves whatever it reported since its last heartbeat so). A peer that holds the sealed
     * form keeps it and relays it (to the author too); this node then takes it back from there. Of
     * a restarted author, entries of the new life that overtook the heartbeat are forgotten too, and
     * come back sealed at its next heartbeat; a dead author that was only cut off (a partition) gives
     * its own back, sealed, by anti-entropy once it is heard again.
     */
    void forget(String author, AuthorGone why) {
        setTargets.forget(author);
        setKeys.forget(author);
        int forgotten = 0;
        for (ObjectType type : ObjectType.values()) {
            for (ObjectKey k : cdb.reportedKeysInAnyOrder(type)) {
                boolean changed = false;
                for (Entry e : cdb.reports(k, author)) {
                    if (SealedEntry.requiredAuthor(e).equals(author) && seals.get(e) == null && cdb.forgetReport(e)) {
                        changed = true;
                        forgotten++;
                    }
                }
                if (changed) {
                    index.replaceSideEntries(k, cdb.reports(k, null));
                }
            }
        }
        if (forgotten > 0) {
            counters.reportsForgotten(forgotten);
            LOG.infof("node %s forgot %d reports of node %s %s that it held without their seal (it cannot relay them, and %s %s)",
                    node, forgotten, author, why.which, author, why.authorCannot);
        }
    }

    /** Why a peer's unsealed reports are forgotten, in the words of the log line that says so. */
    enum AuthorGone {
        RESTARTED("from before its restart", "no longer holds them"),
        DEAD("from before it was declared dead", "will not seal them"),
        UNHEARD("(never heard in a heartbeat, silent for dead-after)", "will not seal them");

        final String which;
        final String authorCannot;

        AuthorGone(String which, String authorCannot) {
            this.which = which;
            this.authorCannot = authorCannot;
        }
    }
}
