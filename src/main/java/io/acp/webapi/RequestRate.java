package io.acp.webapi;

/**
 * Per-connection token bucket for requests: {@code perSecond} on average, {@code burst} at once.
 * Touched only on the connection's event loop.
 */
final class RequestRate {

    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    RequestRate(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1, burst);
        this.tokens = capacity;
        this.last = System.nanoTime();
    }

    /** Takes one token if there is one. */
    boolean admit() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
