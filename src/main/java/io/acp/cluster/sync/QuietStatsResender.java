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
 * {@link StateIndex}), so a lost sample is normally superseded by the next one; but a series that
 * stops right after a lost sample would stay one sample behind on that peer for good. So when one
 * of this node's series has been silent for several of its own sampling periods, its latest
 * sample is sent again, a few times with growing gaps, and then left alone. A series that keeps
 * its pace is never resent; a quiet one costs a handful of entries, not a stream.
 * Only the sync thread calls {@link #tick}; writers call {@link #changed} from any thread.
 */
final class QuietStatsResender {

    /** Silence, in sampling periods of the series, after which the latest sample goes out again. */
    static final int[] RESEND_AFTER_PERIODS = {3, 6, 12};

    private static final class Series {
        StatsEntry latest;
        long periodMillis;
        int resends;
    }

    private final long minPeriodMillis;
    private final Map<ObjectKey, Series> series = new HashMap<>();

    /** @param minPeriodMillis the period assumed for a series seen once, and the floor (a heartbeat) */
    QuietStatsResender(long minPeriodMillis) {
        this.minPeriodMillis = minPeriodMillis;
    }

    /** A new sample of one of this node's series. */
    synchronized void changed(StatsEntry e) {
        Series s = series.computeIfAbsent(e.key(), k -> new Series());
        if (s.latest != null) {
            long gap = e.version().millis() - s.latest.version().millis();
            if (gap > 0) {
                s.periodMillis = gap;
            }
        }
        s.latest = e;
        s.resends = 0;
    }

    /**
     * Called once per heartbeat: the samples to send again now. A sample the CDB no longer holds
     * as the latest (its object was deleted) is dropped, never resent: after the tombstone is
     * collected a peer would take it as new.
     */
    synchronized List<StatsEntry> tick(long nowMillis, Predicate<StatsEntry> stillLatest) {
        List<StatsEntry> due = new ArrayList<>();
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            Series s = it.next();
            if (!stillLatest.test(s.latest)) {
                it.remove();
                continue;
            }
            long period = Math.max(minPeriodMillis, s.periodMillis);
            long silent = nowMillis - s.latest.version().millis();
            if (silent >= RESEND_AFTER_PERIODS[s.resends] * period) {
                due.add(s.latest);
                s.resends++;
                if (s.resends == RESEND_AFTER_PERIODS.length) {
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
