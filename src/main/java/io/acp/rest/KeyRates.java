package io.acp.rest;

import io.acp.api.RequestGate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request rate per API key over REST: a token bucket per key name, {@code perSecond} on average,
 * {@code burst} at once. REST has no connection to hang a bucket on; the key is what a client is.
 * The map holds one bucket per key of the node's key file, so it stays as small as that file.
 */
final class KeyRates {

    private final double perNano;
    private final double capacity;
    private final int perSecond;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    KeyRates(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1, burst);
    }

    /** The gate of one key's requests. */
    RequestGate of(String keyName) {
        Bucket b = buckets.computeIfAbsent(keyName, k -> new Bucket());
        return new RequestGate() {
            @Override
            public boolean admit() {
                return b.take();
            }

            @Override
            public String refusal() {
                return "more than " + perSecond + " requests per second with key '" + keyName + "' (acp.rest.requests-per-second); "
                        + "the request was not run";
            }
        };
    }

    private final class Bucket {
        private double tokens = capacity;
        private long last = System.nanoTime();

        synchronized boolean take() {
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
}
