package io.acp.api;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets for failed authentications, one per peer (a Unix socket's uid, a TCP or WebSocket
 * client's address, an agent client's certificate): each failure takes a token, tokens come back
 * at a fixed rate. While a peer's bucket is empty no key of that peer is checked at all, so
 * guessing keys costs the guesser time and the node no hashing, and a flooding peer never locks
 * out another. Buckets that are full again are forgotten; at most {@link #MAX_PEERS} are kept (the
 * oldest full-or-not bucket makes room), so the memory is bounded whatever the peers do.
 */
final class AuthFailureLimiter {

    /** Failures per second allowed on average per peer, and the burst. */
    static final int DEFAULT_PER_SECOND = 20;
    /** Peers with recent failures remembered at once. */
    static final int MAX_PEERS = 4096;

    private static final class Bucket {
        double tokens;
        long last;
    }

    private final double perNano;
    private final double capacity;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);

    AuthFailureLimiter(int perSecond) {
        this.perNano = perSecond / 1e9;
        this.capacity = perSecond;
    }

    /** True if {@code peer} may attempt an authentication now. */
    synchronized boolean mayAttempt(String peer) {
        Bucket b = buckets.get(peer);
        return b == null || refill(b) >= 1;
    }

    synchronized void failed(String peer) {
        Bucket b = buckets.get(peer);
        if (b == null) {
            makeRoom();
            b = new Bucket();
            b.tokens = capacity;
            b.last = System.nanoTime();
            buckets.put(peer, b);
        }
        b.tokens = Math.max(0, refill(b) - 1);
    }

    /** Peers currently remembered (for tests). */
    synchronized int peers() {
        return buckets.size();
    }

    private double refill(Bucket b) {
        long now = System.nanoTime();
        b.tokens = Math.min(capacity, b.tokens + (now - b.last) * perNano);
        b.last = now;
        return b.tokens;
    }

    private void makeRoom() {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (refill(it.next()) >= capacity) {
                it.remove();
            }
        }
        if (buckets.size() >= MAX_PEERS) {
            Iterator<String> oldest = buckets.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }
}
