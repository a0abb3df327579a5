package io.acp.cluster.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A puller's resume point in one pass of anti-entropy's stream: the ranges of
 * {@linkplain StateIndex#position positions} it has not been answered for yet, in order. A pass
 * starts with everything wanted; each answer body says which range it covers (every entry the
 * holder had there in a differing bucket), and that range is no longer wanted. A lost body leaves
 * its range wanted, so the next pull asks for the hole and then goes on where the last answer
 * stopped: nothing is resent that arrived, nothing skipped that was lost. Positions are the same
 * on every node, so the pass goes on from whichever holder the next pull goes to. When nothing is
 * wanted any more the pass is over and the next one starts from {@link StateIndex#START}: by then
 * the digests differ only where something changed since or a holder could not send it.
 *
 * <p>Ranges are [from, to) compared unsigned; {@link StateIndex#END} as {@code to} means to the
 * end. Sync thread only.
 */
final class StreamCursor {

    /**
     * Wanted ranges at most. Only an answer that covers the middle of a wanted range adds one (a
     * lost body leaves a hole); an answer's range is whatever its header says, and any holder of the
     * secret can send answers, so past this many such an answer is not taken as covering anything:
     * its range stays wanted and is asked for again.
     */
    static final int MAX_RANGES = 4096;

    private final TreeMap<Long, Long> wanted = new TreeMap<>(Long::compareUnsigned);
    private boolean passStarted;

    StreamCursor() {
        restart();
    }

    /** The first {@code max} wanted ranges, as {from, to} pairs; a new pass if nothing is wanted. */
    List<long[]> firstRanges(int max) {
        if (wanted.isEmpty()) {
            restart();
        }
        List<long[]> out = new ArrayList<>(Math.min(max, wanted.size()));
        for (Map.Entry<Long, Long> r : wanted.entrySet()) {
            if (out.size() == max) {
                break;
            }
            out.add(new long[] {r.getKey(), r.getValue()});
        }
        return out;
    }

    /** Whether the ranges {@link #firstRanges} gives next start a pass (then the answer leads with certificates). */
    boolean atPassStart() {
        boolean started = passStarted || wanted.isEmpty();
        passStarted = false;
        return started;
    }

    /** An answer covered [from, next): nothing there is wanted any more. */
    void covered(long from, long next) {
        if (Long.compareUnsigned(from, next) >= 0) {
            return;
        }
        Map.Entry<Long, Long> before = wanted.lowerEntry(from);
        if (before != null && Long.compareUnsigned(before.getValue(), from) > 0) {
            boolean splits = Long.compareUnsigned(before.getValue(), next) > 0;
            if (splits && wanted.size() >= MAX_RANGES) {
                return;
            }
            wanted.put(before.getKey(), from); // keep its part before the covered range
            if (splits) {
                wanted.put(next, before.getValue()); // and its part after it
                return;
            }
        }
        List<Long> inside = new ArrayList<>(wanted.subMap(from, true, next, false).keySet());
        for (Long start : inside) {
            long end = wanted.remove(start);
            if (Long.compareUnsigned(end, next) > 0) {
                wanted.put(next, end);
            }
        }
    }

    /** Whether nothing of the current pass is wanted any more. */
    boolean passDone() {
        return wanted.isEmpty();
    }

    /** The wanted ranges, for tests and the log. */
    List<long[]> wanted() {
        return wanted.entrySet().stream().map(r -> new long[] {r.getKey(), r.getValue()}).toList();
    }

    private void restart() {
        wanted.clear();
        wanted.put(StateIndex.START, StateIndex.END);
        passStarted = true;
    }
}
