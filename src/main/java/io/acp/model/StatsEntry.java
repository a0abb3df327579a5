package io.acp.model;

import java.util.Map;
import java.util.Objects;

/**
 * One sample of an object's numbers as measured by one node; {@code version.millis()} is when.
 * The values are held as {@link StatsValues} (immutable, unboxed), whatever map they were given as.
 */
public record StatsEntry(ObjectKey key, String node, Map<String, Double> values, Version version) implements Entry {

    public StatsEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(version, "version");
        values = StatsValues.copyOf(values);
    }

    @Override
    public Kind kind() {
        return Kind.STATS;
    }
}
