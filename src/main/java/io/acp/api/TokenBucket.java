package io.acp.api;

/**
 * A request rate: {@code perSecond} tokens a second on average, {@code burst} at once, one token a
 * request. What the transports' gates count with (the WebSocket per connection, REST per key).
 */
public final class TokenBucket {

    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    public TokenBucket(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1, burst);
        this.tokens = capacity;
        this.last = System.nanoTime();
    }

    /** Takes one token if there is one. */
    public synchronized boolean take() {
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
