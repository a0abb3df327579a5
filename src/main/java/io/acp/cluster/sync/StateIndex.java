package io.acp.cluster.sync;

import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        /** The same in every JVM (not the enum's identity hash), so a key's slots iterate in one order: simulations replay bit for bit. */
        @Override
        public int hashCode() {
            return 31 * kind.ordinal() + node.hashCode();
        }
    }

    private static final Slot OBJECT_SLOT = new Slot(Entry.Kind.OBJECT, "");

    private final Map<ObjectKey, Map<Slot, Entry>> entries = new HashMap<>();
    /** Keys whose object slot holds a tombstone, so the collector's scan (every heartbeat) does not walk every entry. */
    private final Set<ObjectKey> tombstoneKeys = new HashSet<>();
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
        if (e instanceof ObjectEntry o) {
            if (o.deleted()) {
                tombstoneKeys.add(o.key());
            } else {
                tombstoneKeys.remove(o.key());
            }
        }
        if (old != null && e.kind() == Entry.Kind.STATS) {
            return; // a stats slot hashes without its version: a newer sample leaves bucket and hash as they were
        }
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
        List<ObjectEntry> out = new ArrayList<>(tombstoneKeys.size());
        for (ObjectKey key : tombstoneKeys) {
            Entry e = entries.get(key).get(OBJECT_SLOT);
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
            tombstoneKeys.remove(tombstone.key());
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
        long h = BUCKET_PREFIX[e.kind().ordinal()][e.key().type().ordinal()];
        h = fnv(h, e.key().id());
        h = fnv(h, slotNode(e));
        return (int) (mix(h) & (BUCKETS - 1));
    }

    static long hash(Entry e) {
        long h = HASH_PREFIX[e.kind().ordinal()][e.key().type().ordinal()];
        h = fnv(h, e.key().id());
        h = fnv(h, slotNode(e));
        if (e.kind() == Entry.Kind.STATS) {
            return mix(h);
        }
        h = fnv(h, e.version().node());
        return mix(h ^ mix(e.version().time()));
    }

    /** FNV of (kind name, type name) from each seed, computed once: the same for every entry of a kind and type. */
    private static final long[][] BUCKET_PREFIX = prefixes(0xcbf29ce484222325L);
    private static final long[][] HASH_PREFIX = prefixes(0x84222325cbf29ce4L);

    private static long[][] prefixes(long seed) {
        Entry.Kind[] kinds = Entry.Kind.values();
        ObjectType[] types = ObjectType.values();
        long[][] out = new long[kinds.length][types.length];
        for (Entry.Kind k : kinds) {
            for (ObjectType t : types) {
                out[k.ordinal()][t.ordinal()] = fnv(fnv(seed, k.name()), t.name());
            }
        }
        return out;
    }

    /**
     * FNV-1a over the string's UTF-8 bytes and a separator, so ("ab","c") and ("a","bc") differ.
     * ASCII (every id and node name in practice) is hashed from the chars without encoding them;
     * anything else through {@code getBytes}, so the digest is the same as the bytes' either way.
     */
    static long fnv(long seed, String s) {
        long h = seed;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return fnvBytes(seed, s);
            }
            h = (h ^ c) * 0x100000001b3L;
        }
        return (h ^ 0xFF) * 0x100000001b3L;
    }

    private static long fnvBytes(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return (h ^ 0xFF) * 0x100000001b3L;
    }

    /** splitmix64's finalizer: spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
