package io.acp.monitor;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When each node's stats last reached this monitor, and how far each node's wall clock is from this
 * one's. Fed from the CDB's change stream as {@code node/<N>} stats from N arrive; read by the rules.
 *
 * <p>Clock offset: each node's stats carry {@value #WALL_CLOCK} (its wall clock in ms at sampling).
 * {@code wallClock - arrival} is the offset minus the delivery delay; a delay only ever makes it
 * smaller, so the largest of the last {@value #WINDOW} samples is the best estimate.
 */
public final class StatsArrivals {

    /** The node stats key with the node's wall clock (epoch ms) when the sample was taken. */
    public static final String WALL_CLOCK = "wallClock";
    static final int WINDOW = 10;

    private final LongSupplier clockMillis;
    private final Map<String, Arrivals> nodes = new ConcurrentHashMap<>();

    public StatsArrivals(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    private static final class Arrivals {
        volatile long lastMillis;
        final ArrayDeque<Double> offsets = new ArrayDeque<>(WINDOW);
    }

    /** A stats sample of {@code node} about itself reached this node now. */
    public void arrived(String node, Map<String, Double> values) {
        long now = clockMillis.getAsLong();
        Arrivals a = nodes.computeIfAbsent(node, n -> new Arrivals());
        a.lastMillis = now;
        Double wall = values.get(WALL_CLOCK);
        if (wall != null) {
            synchronized (a.offsets) {
                if (a.offsets.size() == WINDOW) {
                    a.offsets.removeFirst();
                }
                a.offsets.addLast(wall - now);
            }
        }
    }

    /** Counts a node as heard now without a sample (when the monitor starts and finds stats in the CDB). */
    public void known(String node) {
        nodes.computeIfAbsent(node, n -> {
            Arrivals a = new Arrivals();
            a.lastMillis = clockMillis.getAsLong();
            return a;
        });
    }

    /** Milliseconds since the node's last stats arrived, or null if none ever did. */
    public Long ageMillis(String node) {
        Arrivals a = nodes.get(node);
        return a == null ? null : clockMillis.getAsLong() - a.lastMillis;
    }

    /** The node's clock minus this node's, in ms, or null without wall-clock samples. */
    public Double offsetMillis(String node) {
        Arrivals a = nodes.get(node);
        if (a == null) {
            return null;
        }
        synchronized (a.offsets) {
            return a.offsets.stream().max(Double::compare).orElse(null);
        }
    }
}
