package io.acp.model;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: the high 48 bits hold wall-clock milliseconds, the low 16 bits a counter.
 * Readings never go backwards on a node, and after {@link #observe} a node's next reading is later
 * than anything it has seen, so causally later writes always carry higher versions.
 */
public final class HybridClock {

    private static final int LOGICAL_BITS = 16;

    private final LongSupplier wallMillis;
    private final AtomicLong last = new AtomicLong();

    public HybridClock() {
        this(System::currentTimeMillis);
    }

    /** A clock over the given wall time; tests pass a controllable one. */
    public HybridClock(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    /** A fresh reading, strictly greater than every earlier reading and observation. */
    public long now() {
        long wall = wallMillis.getAsLong() << LOGICAL_BITS;
        while (true) {
            long prev = last.get();
            long next = Math.max(wall, prev + 1);
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /** Takes in a reading seen from another node (or the journal) so later local readings exceed it. */
    public void observe(long remote) {
        // read first: nearly every reading seen is behind the clock already, and a write on every
        // merged entry would take the line from every thread that reads the clock
        if (remote > last.get()) {
            last.accumulateAndGet(remote, Math::max);
        }
    }

    /**
     * Whether a reading from elsewhere is at most {@code maxAheadMillis} ahead of this node's wall
     * clock. One that is not must not be {@link #observe observed}: a single far-future version
     * would otherwise drag every later local reading with it.
     *
     * <p>A reading no later than one this clock has already given or observed is within: it drags
     * nothing, and this node's own next write carries a later version anyway. That case, nearly
     * every entry merged from a peer, is answered without reading the wall clock, which cost
     * 2–3 % of the sync thread's CPU at 25,000 merged samples a second (docs/benchmarks.md).
     */
    public boolean isWithin(long reading, long maxAheadMillis) {
        if (reading <= last.get()) {
            return true;
        }
        return physicalMillis(reading) - wallMillis.getAsLong() <= maxAheadMillis;
    }

    public static long physicalMillis(long reading) {
        return reading >>> LOGICAL_BITS;
    }

    public static long fromMillis(long millis) {
        return millis << LOGICAL_BITS;
    }
}
