package io.acp.framework;

import io.acp.node.NodeConfig;
import java.time.Duration;

/**
 * When a failed service is started again: after {@code initialBackoff}, doubling with each failure
 * up to {@code maxBackoff}; a service that ran for {@code resetAfter} starts over at the initial delay.
 */
record RestartPolicy(Duration initialBackoff, Duration maxBackoff, Duration resetAfter) {

    RestartPolicy {
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("acp.node.restart needs 0 < initial-backoff <= max-backoff, got "
                    + initialBackoff + " and " + maxBackoff);
        }
    }

    static RestartPolicy of(NodeConfig.Restart config) {
        return new RestartPolicy(config.initialBackoff(), config.maxBackoff(), config.resetAfter());
    }

    /** The delay after {@code previous}: doubled, capped at the maximum. */
    Duration after(Duration previous) {
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }
}
