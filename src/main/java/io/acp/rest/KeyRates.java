package io.acp.rest;

import io.acp.api.RequestGate;
import io.acp.api.TokenBucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request rate per API key over REST: a token bucket per key name, {@code perSecond} on average,
 * {@code burst} at once. REST has no connection to hang a bucket on; the key is what a client is.
 * The map holds one bucket per key of the node's key file, so it stays as small as that file.
 */
final class KeyRates {

    private final int perSecond;
    private final int burst;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    KeyRates(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** The gate of one key's requests. */
    RequestGate of(String keyName) {
        TokenBucket b = buckets.computeIfAbsent(keyName, k -> new TokenBucket(perSecond, burst));
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
}
