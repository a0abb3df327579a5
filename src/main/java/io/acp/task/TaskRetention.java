package io.acp.task;

import java.time.Duration;

/**
 * How much of its own task history a node keeps in the cluster state: at most {@code maxCount}
 * finished tasks, none older than {@code maxAge}. Each node prunes only the tasks it ran.
 */
public record TaskRetention(int maxCount, Duration maxAge) {

    public TaskRetention {
        if (maxCount < 1) {
            throw new IllegalArgumentException("task retention max-count must be at least 1, got " + maxCount);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("task retention max-age must be positive, got " + maxAge);
        }
    }
}
