package io.acp.cluster.sync;

import io.acp.cluster.StatsTarget;
import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The CDB's {@link StatsTarget}s for the samples of peers' stats sets, per (author, part), in the
 * order of the set's samples. A set of a part holds the same keys in the same order second after
 * second, so the sample at position i nearly always has the target kept at i, and its merge skips
 * the CDB's look-up of its key. A sample whose key differs there (a series added or gone) gets a
 * new target at that position; a newer split of the author's series starts its parts afresh.
 * Every sample of a set must be asked for once, in order (the samples of a set share its seal
 * instance, which marks where the next set begins); a sample skipped or asked for twice costs only
 * look-ups. Bounded as {@link StatsSetKeys} is, whatever senders send (members only, parts per
 * author, targets per part and in all): a sample beyond the bounds gets a fresh target. On the sync
 * thread.
 */
final class StatsSetTargets {

    private static final int FIRST_CAPACITY = StatsSetCodec.SERIES_PER_PART * 2;

    /** Per author: per part of its current split, the targets of its last set's samples in order. */
    private final Map<String, StatsTarget[][]> byAuthor = new HashMap<>();
    private final Predicate<String> member;
    /** Targets kept in all parts. */
    private int targetsKept;
    /** The set whose samples are being asked for: the seal instance they share. */
    private Seal current;
    private StatsTarget[][] parts;
    private int part;
    private int next;

    /** @param member whether a node is a member here (a certificate of it from the cluster's CA is known) */
    StatsSetTargets(Predicate<String> member) {
        this.member = member;
    }

    /** The target for {@code key}, the next sample of the set {@code s} belongs to ({@link SealedEntry#inStatsSet}). */
    StatsTarget of(SealedEntry s, ObjectKey key) {
        if (s.seal() != current) {
            start(s);
        }
        if (parts == null) {
            return new StatsTarget(key); // a set of an author or part beyond the bounds: one look-up
        }
        StatsTarget[] targets = parts[part];
        int i = next++;
        if (i >= StatsSetKeys.MAX_KEPT_PER_PART) {
            return new StatsTarget(key);
        }
        if (i >= targets.length) {
            targets = Arrays.copyOf(targets, Math.max(i + 1, targets.length * 2));
            parts[part] = targets;
        }
        StatsTarget t = targets[i];
        if (t == null && targetsKept >= StatsSetKeys.MAX_KEPT_KEYS) {
            return new StatsTarget(key); // kept in all at most as many as keys are
        }
        if (t == null || !t.isFor(key)) {
            targetsKept += t == null ? 1 : 0;
            t = new StatsTarget(key);
            targets[i] = t;
        }
        return t;
    }

    /** Forgets the targets of an author that is gone, so they do not hold its series' holders. */
    void forget(String author) {
        release(byAuthor.remove(author));
        if (current != null && current.author().equals(author)) {
            current = null;
        }
    }

    /** Stops counting the targets of a split no longer kept. */
    private void release(StatsTarget[][] parts) {
        if (parts == null) {
            return;
        }
        for (StatsTarget[] targets : parts) {
            if (targets != null) {
                for (StatsTarget t : targets) {
                    targetsKept -= t == null ? 0 : 1;
                }
            }
        }
    }

    /** How many authors targets are kept for. */
    int authors() {
        return byAuthor.size();
    }

    private void start(SealedEntry s) {
        StatsSetCodec.Header h = StatsSetCodec.header(s.encoded());
        String author = s.seal().author();
        current = s.seal();
        parts = null;
        if (h.parts() > StatsSetKeys.MAX_PARTS || !member.test(author)) {
            return;
        }
        StatsTarget[][] kept = byAuthor.get(author);
        if (kept == null || kept.length != h.parts()) {
            if (kept == null && byAuthor.size() >= StatsSetKeys.MAX_AUTHORS) {
                return;
            }
            release(kept);
            kept = new StatsTarget[h.parts()][];
            byAuthor.put(author, kept);
        }
        if (kept[h.part()] == null) {
            kept[h.part()] = new StatsTarget[FIRST_CAPACITY];
        }
        parts = kept;
        part = h.part();
        next = 0;
    }
}
