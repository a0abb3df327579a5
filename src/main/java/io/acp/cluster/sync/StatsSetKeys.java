package io.acp.cluster.sync;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The keys of the last stats set of each (author, part) as their bytes came, so the next set of the
 * part finds each sample's key by reading one array in order ({@link StatsSetCodec.SetKeys}). At
 * 256 nodes × 100 series a node decodes 25,600 keys a second, each out of the codec's cache of keys:
 * the cache's slot, the cached entry and its bytes, three reads of memory last touched a second
 * before, about an eighth of the sync thread. A part's keys here are a few cache lines read in
 * sequence. A key that differs from the one kept at its position (a series added or gone) is taken
 * from the codec's cache and kept from that position on. Only for DELTAs the sync thread decodes.
 *
 * <p>What a sender can make this hold is bounded whatever it sends: keys are kept only for authors
 * that are members (a certificate of theirs from the cluster's CA is known), at most
 * {@link #MAX_AUTHORS} of them, of at most {@link #MAX_PARTS} parts each, the first
 * {@link #MAX_KEPT_PER_PART} keys of a part, and {@link #MAX_KEPT_KEYS} keys in all; beyond that a
 * set's keys come from the codec's cache.
 * Decoding comes before any origin check, so a set in a member's name can replace that member's
 * kept keys: it costs the author's next set its look-ups, never a wrong key, since a kept key is
 * returned only for the very bytes it was made of.
 */
final class StatsSetKeys implements StatsSetCodec.SetKeys {

    /** Authors kept at most: twice the receivers a seal is tagged for, beyond any cluster's members. */
    static final int MAX_AUTHORS = 1024;
    /** Parts kept per author at most: 16,384 series of one node (beyond it its sets take the codec's cache). */
    static final int MAX_PARTS = 1024;
    /** Keys kept per part at most: a part holds about {@link StatsSetCodec#SERIES_PER_PART} series, a few more where the split is uneven. */
    static final int MAX_KEPT_PER_PART = 64;
    /**
     * Keys kept in all at most: 1,000 nodes of 130 series each. A set in a member's name, sent by
     * anyone with the secret, can fill parts up to here (about 300 bytes a key with its id, 40 MB in
     * all); beyond it sets are decoded without keeping their keys.
     */
    static final int MAX_KEPT_KEYS = 1 << 17;

    /** One part's keys: the ids' bytes one after another, and per position where its id ends, its type and its key. */
    private static final class Part {
        private byte[] ids = new byte[StatsSetCodec.SERIES_PER_PART * 24];
        private int[] ends = new int[StatsSetCodec.SERIES_PER_PART];
        private ObjectType[] types = new ObjectType[StatsSetCodec.SERIES_PER_PART];
        private ObjectKey[] keys = new ObjectKey[StatsSetCodec.SERIES_PER_PART];
        private int count;

        /** Keeps {@code key} at position {@code i}, its id at {@code from}; what was kept after it goes. Returns the change in keys kept. */
        int keep(int i, int from, ObjectType type, byte[] a, int off, int n, ObjectKey key) {
            if (i >= keys.length) {
                int grown = Math.max(i + 1, keys.length * 2);
                ends = Arrays.copyOf(ends, grown);
                types = Arrays.copyOf(types, grown);
                keys = Arrays.copyOf(keys, grown);
            }
            if (from + n > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(from + n, ids.length * 2));
            }
            System.arraycopy(a, off, ids, from, n);
            ends[i] = from + n;
            types[i] = type;
            keys[i] = key;
            int change = i + 1 - count;
            count = i + 1;
            return change;
        }
    }

    private final Map<String, Part[]> byAuthor = new HashMap<>();
    private final Predicate<String> member;
    /** The part of the set being decoded, or null if none is kept for it. */
    private Part current;
    private int position;
    private int offset;
    /** Keys kept in all parts. */
    private int keptKeys;

    private final int maxKeptKeys;

    /** @param member whether a node is a member here (a certificate of it from the cluster's CA is known) */
    StatsSetKeys(Predicate<String> member) {
        this(member, MAX_KEPT_KEYS);
    }

    /** @param maxKeptKeys keys kept in all at most (a test's smaller bound) */
    StatsSetKeys(Predicate<String> member, int maxKeptKeys) {
        this.member = member;
        this.maxKeptKeys = maxKeptKeys;
    }

    @Override
    public void start(String node, int part, int parts) {
        current = null;
        if (parts > MAX_PARTS || !member.test(node)) {
            return;
        }
        Part[] kept = byAuthor.get(node);
        if (kept == null || kept.length != parts) {
            if (kept == null && byAuthor.size() >= MAX_AUTHORS) {
                return;
            }
            if (kept != null) {
                release(kept);
            }
            kept = new Part[parts]; // a new split of the author's series: its parts start afresh
            byAuthor.put(node, kept);
        }
        if (kept[part] == null) {
            kept[part] = new Part();
        }
        current = kept[part];
        position = 0;
        offset = 0;
    }

    @Override
    public ObjectKey next(ObjectType type, byte[] a, int off, int n) {
        Part p = current;
        if (p == null) {
            return EntryCodec.cachedKey(type, a, off, n);
        }
        int i = position++;
        if (i >= MAX_KEPT_PER_PART) {
            return EntryCodec.cachedKey(type, a, off, n);
        }
        int from = offset;
        offset = from + n;
        // every position before i matched or was kept anew, so the kept id at i starts at from
        if (i < p.count && p.ends[i] == from + n && p.types[i] == type && Arrays.equals(p.ids, from, from + n, a, off, off + n)) {
            return p.keys[i];
        }
        ObjectKey key = EntryCodec.cachedKey(type, a, off, n);
        if (i >= p.count && keptKeys >= maxKeptKeys) {
            // not kept: the offsets of the rest of this set no longer line up with the kept ids
            current = null;
            return key;
        }
        keptKeys += p.keep(i, from, type, a, off, n, key);
        return key;
    }

    /** Forgets the keys of an author that is gone. */
    void forget(String author) {
        Part[] kept = byAuthor.remove(author);
        if (kept != null) {
            release(kept);
        }
        current = null;
    }

    private void release(Part[] parts) {
        for (Part p : parts) {
            if (p != null) {
                keptKeys -= p.count;
            }
        }
    }

    /** Keys kept in all parts. */
    int keptKeys() {
        return keptKeys;
    }

    /** How many authors keys are kept for. */
    int authors() {
        return byAuthor.size();
    }
}
