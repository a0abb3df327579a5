package io.acp.cluster.sync.wire;

import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Joins the fragments of messages larger than one datagram. Memory is bounded twice: by the number
 * of fragments a message may have and by the bytes held for unfinished messages in total (with what
 * keeping each costs, so even fragments with empty bodies count); when full,
 * the oldest unfinished message is dropped. Unfinished messages older than the timeout are dropped
 * too. Every dropped message is counted as {@link DropReason#INCOMPLETE}; anti-entropy repairs it.
 * Not thread-safe: used by the one receive thread.
 */
public final class Reassembler {

    public static final int MAX_FRAGMENTS = 256;

    private record Key(String sender, long epoch, int messageId) {
    }

    private static final class Partial {
        final byte[][] parts;
        final long startedNanos;
        int received;
        int bytes;
        /** What it holds as counted against the bound: its bodies and what keeping them costs ({@link #charge}). */
        long charged;

        Partial(int count, long startedNanos) {
            this.parts = new byte[count][];
            this.startedNanos = startedNanos;
            this.charged = PARTIAL_OVERHEAD + 8L * count;
        }
    }

    /**
     * Bytes an unfinished message is counted for beyond its fragments' bodies: its key, entry and
     * array of parts, and per fragment kept its array's header. Bodies may be empty, so without it
     * fragments of empty bodies under ever new message ids were held for the whole timeout at no
     * count.
     */
    static final int PARTIAL_OVERHEAD = 128;
    static final int FRAGMENT_OVERHEAD = 32;

    /** A complete message; {@code pastWindow}: a heartbeat the replay window refused ({@link Opened#pastWindow}). */
    public record Message(DatagramHeader header, byte[] body, boolean pastWindow) {

        public Message(DatagramHeader header, byte[] body) {
            this(header, body, false);
        }
    }

    private final LinkedHashMap<Key, Partial> partials = new LinkedHashMap<>();
    private final long maxBufferedBytes;
    private final long timeoutNanos;
    private final SyncCounters counters;
    private long bufferedBytes;

    public Reassembler(long maxBufferedBytes, long timeoutNanos, SyncCounters counters) {
        this.maxBufferedBytes = maxBufferedBytes;
        this.timeoutNanos = timeoutNanos;
        this.counters = counters;
    }

    /** The whole message once its last fragment arrives, else null. */
    public Message add(Opened d, long nowNanos) {
        DatagramHeader h = d.header();
        if (h.fragmentCount() == 1) {
            return new Message(h, d.body(), d.pastWindow());
        }
        if (d.pastWindow()) {
            return null; // only single-datagram heartbeats go on past the window
        }
        if (h.fragmentCount() > MAX_FRAGMENTS) {
            counters.dropped(DropReason.MALFORMED);
            return null;
        }
        expire(nowNanos);
        Key key = new Key(h.sender(), h.epoch(), h.messageId());
        Partial p = partials.get(key);
        if (p == null) {
            p = new Partial(h.fragmentCount(), nowNanos);
            partials.put(key, p);
            bufferedBytes += p.charged;
        }
        if (p.parts.length != h.fragmentCount()) {
            counters.dropped(DropReason.MALFORMED);
            return null;
        }
        if (p.parts[h.fragmentIndex()] != null) {
            return null;
        }
        p.parts[h.fragmentIndex()] = d.body();
        p.received++;
        p.bytes += d.body().length;
        p.charged += FRAGMENT_OVERHEAD + d.body().length;
        bufferedBytes += FRAGMENT_OVERHEAD + d.body().length;
        if (p.received == p.parts.length) {
            partials.remove(key);
            bufferedBytes -= p.charged;
            ByteArrayOutputStream out = new ByteArrayOutputStream(p.bytes);
            for (byte[] part : p.parts) {
                out.writeBytes(part);
            }
            return new Message(h, out.toByteArray());
        }
        while (bufferedBytes > maxBufferedBytes && !partials.isEmpty()) {
            evictOldest();
        }
        return null;
    }

    /** Drops unfinished messages older than the timeout. */
    public void expire(long nowNanos) {
        for (Iterator<Map.Entry<Key, Partial>> it = partials.entrySet().iterator(); it.hasNext(); ) {
            Partial p = it.next().getValue();
            if (nowNanos - p.startedNanos <= timeoutNanos) {
                return; // insertion order is age order
            }
            it.remove();
            bufferedBytes -= p.charged;
            counters.dropped(DropReason.INCOMPLETE);
        }
    }

    private void evictOldest() {
        Iterator<Map.Entry<Key, Partial>> it = partials.entrySet().iterator();
        Partial p = it.next().getValue();
        it.remove();
        bufferedBytes -= p.charged;
        counters.dropped(DropReason.INCOMPLETE);
    }

    public long bufferedBytes() {
        return bufferedBytes;
    }

    public int pendingMessages() {
        return partials.size();
    }
}
