package io.acp.cluster.sync;

import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sync's mirror of the CDB's entries (the latest object, meta and stats entry per slot) and
 * the digest over them. The CDB offers no iteration over all meta and stats, so this index is kept
 * from the CDB's change stream. The digest is {@value #BUCKETS} bucket hashes: an entry's slot
 * (kind, object, and for meta and stats the reporting node) picks its bucket, and the bucket hash is the sum of its entries' hashes
 * over (slot, version), updated in O(1) per change. Two nodes with equal digests hold the same
 * entries; a differing bucket says where to look.
 *
 * <p>Stats are hashed by slot only, without their version: a series is sampled every second, so
 * versions would make every digest differ all the time and anti-entropy would resend every sample.
 * A missing series is still repaired (a late joiner gets every node's latest sample); a lost sample
 * of an existing series is superseded by the next one, or, when the series has gone quiet, by the
 * {@link QuietStatsResender}.
 */
final class StateIndex {

    static final int BUCKETS = 256;

    private record Slot(Entry.Kind kind, String node) {
    }

    private static final Slot OBJECT_SLOT = new Slot(Entry.Kind.OBJECT, "");

    private final Map<ObjectKey, Map<Slot, Entry>> entries = new HashMap<>();
    private final long[] buckets = new long[BUCKETS];
    private int size;

    /** Records an entry the CDB applied; ignores one older than what the index holds. */
    synchronized void update(Entry e) {
        Map<Slot, Entry> perKey = entries.computeIfAbsent(e.key(), k -> new HashMap<>());
        Slot slot = new Slot(e.kind(), slotNode(e));
        Entry old = perKey.get(slot);
        if (old != null && !e.version().isNewerThan(old.version())) {
            return;
        }
        perKey.put(slot, e);
        int b = bucket(e);
        if (old != null) {
            buckets[b] -= hash(old);
        } else {
            size++;
        }
        buckets[b] += hash(e);
    }

    /**
     * Replaces the meta and stats of an object with what the CDB holds now (after a delete, the CDB
     * drops them without publishing anything).
     */
    synchronized void replaceSideEntries(ObjectKey key, List<? extends Entry> current) {
        Map<Slot, Entry> perKey = entries.get(key);
        if (perKey != null) {
            perKey.entrySet().removeIf(s -> {
                if (s.getKey().kind == Entry.Kind.OBJECT) {
                    return false;
                }
                buckets[bucket(s.getValue())] -= hash(s.getValue());
                size--;
                return true;
            });
        }
        for (Entry e : current) {
            update(e);
        }
    }

    /** The tombstones held, so the caller can find those the CDB has collected since. */
    synchronized List<ObjectEntry> tombstones() {
        List<ObjectEntry> out = new ArrayList<>();
        for (Map<Slot, Entry> perKey : entries.values()) {
            Entry e = perKey.get(OBJECT_SLOT);
            if (e instanceof ObjectEntry o && o.deleted()) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * Forgets a tombstone the CDB collected (it publishes nothing for that), unless the slot has
     * moved on to a newer entry meanwhile.
     */
    synchronized void forgetCollected(ObjectEntry tombstone) {
        Map<Slot, Entry> perKey = entries.get(tombstone.key());
        if (perKey != null && perKey.get(OBJECT_SLOT) == tombstone) {
            perKey.remove(OBJECT_SLOT);
            buckets[bucket(tombstone)] -= hash(tombstone);
            size--;
            if (perKey.isEmpty()) {
                entries.remove(tombstone.key());
            }
        }
    }

    synchronized long[] buckets() {
        return buckets.clone();
    }

    /** One hash over all buckets: equal roots mean equal state. */
    synchronized long root() {
        long h = 0xcbf29ce484222325L;
        for (long b : buckets) {
            h = mix(h ^ b);
        }
        return h ^ size;
    }

    synchronized int size() {
        return size;
    }

    /** The entries of the given buckets. */
    synchronized List<Entry> entriesIn(boolean[] wanted) {
        List<Entry> out = new ArrayList<>();
        for (Map<Slot, Entry> perKey : entries.values()) {
            for (Entry e : perKey.values()) {
                if (wanted[bucket(e)]) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** Every entry, for tests and diagnostics. */
    synchronized List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        entries.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /**
     * The node part of an entry's slot: the reporting node for meta and stats; none for objects,
     * whose one slot is taken over by whichever node writes the newer version.
     */
    private static String slotNode(Entry e) {
        return e.kind() == Entry.Kind.OBJECT ? "" : e.node();
    }

    static int bucket(Entry e) {
        long h = fnv(0xcbf29ce484222325L, e.kind().name());
        h = fnv(h, e.key().type().name());
        h = fnv(h, e.key().id());
        h = fnv(h, slotNode(e));
        return (int) (mix(h) & (BUCKETS - 1));
    }

    static long hash(Entry e) {
        long h = fnv(0x84222325cbf29ce4L, e.kind().name());
        h = fnv(h, e.key().type().name());
        h = fnv(h, e.key().id());
        h = fnv(h, slotNode(e));
        if (e.kind() == Entry.Kind.STATS) {
            return mix(h);
        }
        h = fnv(h, e.version().node());
        return mix(h ^ mix(e.version().time()));
    }

    private static long fnv(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return (h ^ 0xFF) * 0x100000001b3L; // separator, so ("ab","c") and ("a","bc") differ
    }

    /** splitmix64's finalizer: spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
