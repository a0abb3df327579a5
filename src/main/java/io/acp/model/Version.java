package io.acp.model;

import java.util.Objects;

/**
 * Orders writes across nodes: a hybrid logical clock reading, ties broken by the writer's node id.
 * Two entries with equal versions are the same write, so merging is deterministic and idempotent.
 */
public record Version(long time, String node) implements Comparable<Version> {

    public Version {
        Objects.requireNonNull(node, "node");
    }

    @Override
    public int compareTo(Version other) {
        int c = Long.compare(time, other.time);
        return c != 0 ? c : node.compareTo(other.node);
    }

    public boolean isNewerThan(Version other) {
        return other == null || compareTo(other) > 0;
    }

    /** Wall-clock milliseconds of the write (the physical part of the clock reading). */
    public long millis() {
        return HybridClock.physicalMillis(time);
    }

    @Override
    public String toString() {
        return Long.toHexString(time) + "@" + node;
    }
}
