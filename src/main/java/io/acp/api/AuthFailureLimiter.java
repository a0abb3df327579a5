package io.acp.api;

/**
 * Node-wide token bucket for failed authentications: each failure takes a token, tokens come back
 * at a fixed rate. While the bucket is empty no key is checked at all, so guessing keys costs the
 * guesser time and the node no hashing.
 */
final class AuthFailureLimiter {

    /** Failures per second allowed on average, and the burst. */
    static final int DEFAULT_PER_SECOND = 20;

    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    AuthFailureLimiter(int perSecond) {
        this.perNano = perSecond / 1e9;
        this.capacity = perSecond;
        this.tokens = perSecond;
        this.last = System.nanoTime();
    }

    /** True if an authentication may be attempted now. */
    synchronized boolean mayAttempt() {
        refill();
        return tokens >= 1;
    }

    synchronized void failed() {
        refill();
        tokens = Math.max(0, tokens - 1);
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
    }
}
