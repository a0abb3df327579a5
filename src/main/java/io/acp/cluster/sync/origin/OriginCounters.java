package io.acp.cluster.sync.origin;

import io.acp.model.LogLimit;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Counts refused entries by rule and by sending node, and logs them: the first refusal of a
 * (sender, rule) pair at once, then at most one line per 10 s with the count since
 * ({@link LogLimit}), so an attack is visible in the log without flooding it. Senders are counted
 * apart up to {@link #MAX_SENDERS} of them (a holder of the secret can send under any name).
 * Thread-safe.
 */
public final class OriginCounters {

    private static final Logger LOG = Logger.getLogger(OriginCounters.class);
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private record Pair(String sender, Refusal rule) {
    }

    /** Senders counted and logged apart at most; the refusals of any further ones are counted and logged as {@link #OTHER_SENDERS}. */
    public static final int MAX_SENDERS = 4096;
    /** Where the refusals of senders beyond {@link #MAX_SENDERS} are counted (not a node id: ids have no spaces). */
    public static final String OTHER_SENDERS = "(other senders)";

    private final String node;
    private final EnumMap<Refusal, AtomicLong> byRule = new EnumMap<>(Refusal.class);
    private final Map<String, AtomicLong> bySender = new ConcurrentHashMap<>();
    private final Map<Pair, LogLimit> logged = new ConcurrentHashMap<>();
    private final AtomicLong verified = new AtomicLong();

    public OriginCounters(String node) {
        this.node = node;
        for (Refusal r : Refusal.values()) {
            byRule.put(r, new AtomicLong());
        }
    }

    /**
     * Counts and logs one refusal.
     *
     * @param sender the node the message came from (for a bridge, the remote cluster's link)
     * @param what   the refused entry, e.g. "meta node/n2 of n2 (version …)"
     * @param detail the rule's reasoning for this entry
     */
    public void refused(Refusal rule, String sender, String what, String detail) {
        byRule.get(rule).incrementAndGet();
        // a sender name can be made up by any holder of the secret: past so many, they share one count and one log line
        String counted = bySender.containsKey(sender) || bySender.size() < MAX_SENDERS ? sender : OTHER_SENDERS;
        bySender.computeIfAbsent(counted, s -> new AtomicLong()).incrementAndGet();
        long covered = logged.computeIfAbsent(new Pair(counted, rule), p -> new LogLimit(LOG_EVERY)).count();
        if (covered > 0) {
            LOG.warnf("node %s refused %s from %s (rule %s: %s)%s", node, what, sender, rule.statName(), detail,
                    covered > 1 ? "; " + covered + " refusals from " + sender + " under this rule since the last line" : "");
        }
    }

    void verified() {
        verified.incrementAndGet();
    }

    public long count(Refusal rule) {
        return byRule.get(rule).get();
    }

    public long total() {
        return byRule.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Refusals of entries received from {@code sender}, all rules. */
    public long fromSender(String sender) {
        AtomicLong n = bySender.get(sender);
        return n == null ? 0 : n.get();
    }

    /** {@code sync.refused.<rule>} and {@code sync.entries.verified}, sorted. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        byRule.forEach((r, n) -> out.put("sync.refused." + r.statName(), n.get()));
        out.put("sync.entries.verified", verified.get());
        return out;
    }
}
