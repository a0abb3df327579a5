package io.acp.ha;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * This node's view of its own lease and of the systems it owns: the only input to {@link Fencing}.
 *
 * <p>The deadline is the local time at which a renewal was <em>sent</em> plus the lease duration,
 * set only once the renewal committed; the table granted at least that much ({@link LeaseTable}),
 * so this node stops believing in its lease no later than the majority does. The owned set is the
 * one a renewal returned, ordered by commit index, so a late answer cannot bring back a system the
 * log has since moved away. Not thread-safe: one caller (the ownership loop) at a time.
 */
final class LeaseHolder {

    private final String node;
    private long deadline = Long.MIN_VALUE;
    private long renewIndex = -1;
    private final Map<String, Long> owned = new HashMap<>();
    /** Systems this node handed away, at the hand-over's commit index: an older renewal's answer cannot bring them back. */
    private final Map<String, Long> handedAt = new HashMap<>();
    /** Systems whose hand-over got no answer, with the local time it failed: only renewals sent later count for them. */
    private final Map<String, Long> handUnknownSince = new HashMap<>();

    LeaseHolder(String node) {
        this.node = node;
    }

    String node() {
        return node;
    }

    /** A renewal sent at local time {@code sentAt} for {@code durationMillis} committed at {@code commitIndex}. */
    void granted(long sentAt, long durationMillis, long commitIndex, LeaseResult.Granted granted) {
        deadline = Math.max(deadline, sentAt + durationMillis);
        if (commitIndex <= renewIndex) {
            return;
        }
        renewIndex = commitIndex;
        owned.values().removeIf(index -> index <= commitIndex);
        for (String system : granted.owned()) {
            boolean handed = handedAt.getOrDefault(system, Long.MIN_VALUE) >= commitIndex;
            boolean unsure = handUnknownSince.getOrDefault(system, Long.MIN_VALUE) >= sentAt;
            if (!handed && !unsure) {
                owned.merge(system, commitIndex, Math::max);
            }
        }
        handedAt.values().removeIf(index -> index < commitIndex);
        handUnknownSince.values().removeIf(since -> since < sentAt);
    }

    /** This node became the owner of {@code system} at {@code commitIndex}. */
    void took(String system, long commitIndex) {
        if (commitIndex > renewIndex) {
            owned.merge(system, commitIndex, Math::max);
        }
    }

    /**
     * This node is handing {@code system} to another node (a migration): it stops believing it owns
     * it before it proposes the hand-over, so that at no moment two holders believe they own it; no
     * renewal's answer brings it back until the hand-over's outcome is known.
     */
    void handingAway(String system) {
        owned.remove(system);
        handedAt.put(system, Long.MAX_VALUE);
    }

    /** The hand-over of {@code system} committed at {@code commitIndex}: renewals committed before it cannot bring it back. */
    void handedAway(String system, long commitIndex) {
        owned.remove(system);
        handedAt.put(system, commitIndex);
    }

    /** The table refused the hand-over at {@code commitIndex}: this node still owns {@code system}. */
    void handOverRefused(String system, long commitIndex) {
        handedAt.remove(system);
        took(system, commitIndex);
    }

    /**
     * The hand-over's outcome is unknown (no answer) at local time {@code now}: only a renewal sent
     * after now, which Raft orders after the hand-over if that ever commits, says who owns it.
     */
    void handOverUnknown(String system, long now) {
        handedAt.remove(system);
        handUnknownSince.put(system, now);
    }

    /** This node gave {@code system} away (handed over or released). */
    void gaveUp(String system) {
        owned.remove(system);
    }

    /** Whether the lease is live at local time {@code now}. */
    boolean live(long now) {
        return now < deadline;
    }

    /** Local time at which the lease ends unless renewed. */
    long deadline() {
        return deadline;
    }

    /** The systems this node may run while its lease is live. */
    Set<String> owned() {
        return new TreeSet<>(owned.keySet());
    }

    /** Forgets everything, as a restarted process starts: no lease, no systems. */
    void reset() {
        deadline = Long.MIN_VALUE;
        renewIndex = -1;
        owned.clear();
        handedAt.clear();
        handUnknownSince.clear();
    }
}
