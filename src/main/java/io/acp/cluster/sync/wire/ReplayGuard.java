package io.acp.cluster.sync.wire;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rejects replayed datagrams: per sender, the newest epoch seen and a sliding window over the
 * sequence numbers of that epoch (as in IPsec's anti-replay, RFC 4303 §3.4.3, with a wider
 * window so reordering by the network is not mistaken for replay). Only datagrams that passed
 * authentication reach this, so a forger cannot move a window.
 *
 * <p>The marks (per sender: epoch and highest sequence) are saved by the sync ({@link #marks()})
 * and restored at the next start ({@link #restore}), so a receiver that restarts still refuses
 * what it accepted before: nothing of an older epoch, nothing of the same epoch at or below the
 * saved sequence. Checks run on the receive thread; marks are read from the sync thread, hence
 * the (uncontended) lock.
 */
public final class ReplayGuard {

    /** Sequence numbers this far behind the newest are too old to tell from replays. */
    public static final int WINDOW = 4096;

    private static final class Window {
        final long epoch;
        long highest;
        final long[] seen = new long[WINDOW / 64];

        Window(long epoch) {
            this.epoch = epoch;
        }
    }

    /**
     * Senders whose windows are kept at most. Datagrams of any sender name authenticate under the
     * cluster secret, so a holder of the secret could otherwise add a window (and a line of the
     * saved marks) per name it makes up; the windows made longest ago go first (a sender's next
     * datagram makes it a new one). 4,096 is far beyond a cluster's members. In the order they were
     * made, not used: moving a window to the end at each datagram touched two other senders' entries
     * too, memory the I/O thread had not read for a while.
     */
    public static final int MAX_SENDERS = 4096;

    private final Map<String, Window> windows = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_SENDERS;
        }
    };

    /** A sender's high-water mark: its newest epoch and the highest sequence accepted in it. */
    public record Mark(long epoch, long highest) {
    }

    /** Checks and, if accepted, records the datagram; returns the reason to drop it, or null. */
    public synchronized DropReason check(String sender, long epoch, long sequence) {
        Window w = windows.get(sender);
        if (w != null && epoch < w.epoch) {
            return DropReason.STALE_EPOCH;
        }
        if (w == null || epoch > w.epoch) {
            w = new Window(epoch);
            windows.put(sender, w);
        }
        if (sequence <= w.highest - WINDOW || sequence <= 0) {
            return DropReason.REPLAYED;
        }
        if (sequence > w.highest) {
            if (sequence - w.highest >= WINDOW) {
                java.util.Arrays.fill(w.seen, 0);
            } else {
                for (long s = w.highest + 1; s <= sequence; s++) {
                    clear(w, s);
                }
            }
            w.highest = sequence;
        } else if (isSet(w, sequence)) {
            return DropReason.REPLAYED;
        }
        set(w, sequence);
        return null;
    }

    /** Every sender's mark, to be saved. */
    public synchronized Map<String, Mark> marks() {
        Map<String, Mark> out = new HashMap<>();
        windows.forEach((sender, w) -> out.put(sender, new Mark(w.epoch, w.highest)));
        return out;
    }

    /**
     * Starts from a saved mark: older epochs are stale, and sequences of its epoch up to the saved
     * highest are replays (their window bits are lost, so the whole range is refused).
     */
    public synchronized void restore(String sender, Mark mark) {
        Window w = new Window(mark.epoch());
        w.highest = mark.highest();
        java.util.Arrays.fill(w.seen, -1L);
        windows.put(sender, w);
    }

    /**
     * Sets a sender's window back to a datagram the window refused but that is proven the sender's
     * own and fresh by other means (a heartbeat its hash chain proves: {@code ClusterSync}). Only a
     * holder of the cluster secret moves a window past a member's real datagrams (one in its name
     * with a later epoch or a higher sequence); without this the member's datagrams stayed dropped
     * here until its next start. Sequences up to the proven one are refused, as after a
     * {@link #restore}, so no datagram taken before is taken again. Never moves a window forward.
     *
     * @return whether the window moved back
     */
    public synchronized boolean pullBack(String sender, long epoch, long sequence) {
        Window w = windows.get(sender);
        if (w == null || epoch > w.epoch || (epoch == w.epoch && sequence >= w.highest)) {
            return false;
        }
        restore(sender, new Mark(epoch, sequence));
        return true;
    }

    /** The newest epoch seen from a sender, or -1. */
    public synchronized long epochOf(String sender) {
        Window w = windows.get(sender);
        return w == null ? -1 : w.epoch;
    }

    private static int bit(long seq) {
        return (int) Math.floorMod(seq, (long) WINDOW);
    }

    private static boolean isSet(Window w, long seq) {
        int b = bit(seq);
        return (w.seen[b >>> 6] & (1L << (b & 63))) != 0;
    }

    private static void set(Window w, long seq) {
        int b = bit(seq);
        w.seen[b >>> 6] |= 1L << (b & 63);
    }

    private static void clear(Window w, long seq) {
        int b = bit(seq);
        w.seen[b >>> 6] &= ~(1L << (b & 63));
    }
}
