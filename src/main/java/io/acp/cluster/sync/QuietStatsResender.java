package io.acp.cluster.sync;

import io.acp.model.ObjectKey;
import io.acp.model.StatsEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Repairs the one loss the digest cannot see. Stats are digested without their versions (see
 * {@link StateIndex}), so a lost sample is normally superseded by the next one a second later; but
 * a series that stops right after a lost sample would stay one sample behind on that peer for good.
 * So when one of this node's series goes quiet, its latest sample is sent again a few times, with
 * growing gaps, and then left alone: a quiet series costs a handful of entries, not a stream.
 * Only the sync thread calls {@link #tick}; writers call {@link #changed} from any thread.
 */
final class QuietStatsResender {

    /** Heartbeats of silence after which the latest sample is sent again (one resend per step). */
    static final int[] RESEND_AFTER_HEARTBEATS = {2, 4, 8};

    private static final class Series {
        StatsEntry latest;
        int quietHeartbeats;
        int resends;
    }

    private final Map<ObjectKey, Series> series = new HashMap<>();

    /** A new sample of one of this node's series. */
    synchronized void changed(StatsEntry e) {
        Series s = series.computeIfAbsent(e.key(), k -> new Series());
        s.latest = e;
        s.quietHeartbeats = 0;
        s.resends = 0;
    }

    /**
     * Called once per heartbeat: the samples to send again now. A sample the CDB no longer holds
     * as the latest (its object was deleted) is dropped, never resent: after the tombstone is
     * collected a peer would take it as new.
     */
    synchronized List<StatsEntry> tick(Predicate<StatsEntry> stillLatest) {
        List<StatsEntry> due = new ArrayList<>();
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            Series s = it.next();
            if (!stillLatest.test(s.latest)) {
                it.remove();
                continue;
            }
            s.quietHeartbeats++;
            if (s.quietHeartbeats == RESEND_AFTER_HEARTBEATS[s.resends]) {
                due.add(s.latest);
                s.resends++;
                if (s.resends == RESEND_AFTER_HEARTBEATS.length) {
                    it.remove(); // done until the series changes again
                }
            }
        }
        return due;
    }

    synchronized int tracked() {
        return series.size();
    }
}
