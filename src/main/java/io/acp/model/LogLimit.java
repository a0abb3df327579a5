package io.acp.model;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * At most one log line per period for one kind of event, and the number of events that line stands
 * for. Refusals and warnings that a peer, or a holder of a stolen secret, can cause at any rate must
 * show in the log without flooding it: the first event is logged at once, later ones at most once
 * per period, each line saying how many it covers. Thread-safe.
 */
public final class LogLimit {

    private final long everyNanos;
    private final LongSupplier nanoTime;
    private boolean loggedOnce;
    private long lastNanos;
    private long since;

    public LogLimit(Duration every) {
        this(every, System::nanoTime);
    }

    /** A limit on the given clock (the sync's, which a simulation drives). */
    public LogLimit(Duration every, LongSupplier nanoTime) {
        this.everyNanos = every.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Counts one event; returns how many events a line logged now stands for (this one and those
     * not logged since the last line), or 0 if no line is due.
     */
    public synchronized long count() {
        since++;
        long now = nanoTime.getAsLong();
        if (loggedOnce && now - lastNanos < everyNanos) {
            return 0;
        }
        loggedOnce = true;
        lastNanos = now;
        long covered = since;
        since = 0;
        return covered;
    }
}
