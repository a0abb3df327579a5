package io.acp.cluster.sync;

import io.acp.model.Entry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Entries refused because their version was too far ahead of this node's clock, counted by the
 * node that sent them (not the author they claim: the sender is who put them on the wire). The
 * first refusal from a sender is logged as a warning, later ones at debug level.
 */
final class ClockAheadRefusals {

    private static final Logger LOG = Logger.getLogger(ClockAheadRefusals.class);
    static final String STAT = "sync.refused.clock-ahead";

    private final String node;
    private final Map<String, LongAdder> bySender = new ConcurrentHashMap<>();

    ClockAheadRefusals(String node) {
        this.node = node;
    }

    void refused(String sender, Entry e) {
        LongAdder n = bySender.computeIfAbsent(sender, k -> new LongAdder());
        n.increment();
        if (n.sum() == 1) {
            LOG.warnf("node %s refused %s %s at version %s from node %s: too far ahead of the local clock (counted in %s.%s)",
                    node, e.kind().name().toLowerCase(java.util.Locale.ROOT), e.key(), e.version(), sender, STAT, sender);
        } else {
            LOG.debugf("node %s refused %s at version %s from node %s: too far ahead of the local clock", node, e.key(), e.version(), sender);
        }
    }

    long from(String sender) {
        LongAdder n = bySender.get(sender);
        return n == null ? 0 : n.sum();
    }

    /** {@code sync.refused.clock-ahead} (all senders) and {@code sync.refused.clock-ahead.<sender>}. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, LongAdder> e : bySender.entrySet()) {
            long n = e.getValue().sum();
            out.put(STAT + "." + e.getKey(), n);
            total += n;
        }
        out.put(STAT, total);
        return out;
    }
}
