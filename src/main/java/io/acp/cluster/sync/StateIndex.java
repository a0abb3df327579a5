package io.acp.cluster.sync;

import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.cluster.sync.origin.CertificateMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

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
 * {@link QuietStatsResender}. So the index need not hear of every sample: the sync's index hears of
 * a peer's series once, when it starts ({@code Cdb.changesOfSeries}), and reads the series' latest
 * sample from the CDB when an answer sends it.
 *
 * <p>Two more views serve anti-entropy without ever sorting all entries: every entry has a
 * {@linkplain #position position} (its bucket, then its slot's hash), the same on every node, and
 * the index keeps its entries ordered by it, so an answer walks the differing buckets from a
 * cursor ({@link #next}); and it keeps the last changes of the digest, so it can give the bucket
 * hashes as they were without the entries written after a cutoff ({@link #settled}).
 */
final class StateIndex {

    static final int BUCKETS = 256;
    /**
     * Leaves per bucket: the next 8 bits of a position after its bucket's. A pull may carry a
     * bucket's leaf hashes, so the answer sends only the entries of the leaves that differ rather
     * than the whole bucket (see {@link AntiEntropy}).
     */
    static final int LEAVES_PER_BUCKET = 256;

    /** The first position; positions are even, so {@link #END} (odd) is none of them. */
    static final long START = 0L;
    /** Past every position (compared unsigned). */
    static final long END = -1L;

    /**
     * Changes of the digest kept for {@link #settledBuckets}: at most this many, and none written
     * more than {@link #RECENT_MILLIS} before the cutoff asked for (at 10,000 writes per second,
     * 6.5 s of them).
     */
    static final int MAX_RECENT = 1 << 16;
    static final long RECENT_MILLIS = 30_000;

    private record Slot(Entry.Kind kind, String node) {
        /** The same in every JVM (not the enum's identity hash), so a key's slots iterate in one order: simulations replay bit for bit. */
        @Override
        public int hashCode() {
            return 31 * kind.ordinal() + node.hashCode();
        }
    }

    private static final Slot OBJECT_SLOT = new Slot(Entry.Kind.OBJECT, "");

    /**
     * An entry's place in the stream order: its position, then (for the rare slots whose
     * positions collide) the slot itself. A probe (kind null) sorts before every slot at its position.
     */
    private record Ordered(long position, Entry.Kind kind, ObjectKey key, String node) implements Comparable<Ordered> {
        static Ordered of(Entry e) {
            return new Ordered(StateIndex.position(e), e.kind(), e.key(), slotNode(e));
        }

        static Ordered probe(long position) {
            return new Ordered(position, null, null, null);
        }

        @Override
        public int compareTo(Ordered o) {
            int c = Long.compareUnsigned(position, o.position);
            if (c != 0) {
                return c;
            }
            if (kind == null || o.kind == null) {
                return kind == o.kind ? 0 : kind == null ? -1 : 1;
            }
            return compareSlot(o);
        }

        private int compareSlot(Ordered o) {
            int c = Integer.compare(kind.ordinal(), o.kind.ordinal());
            if (c == 0) {
                c = Integer.compare(key.type().ordinal(), o.key.type().ordinal());
            }
            if (c == 0) {
                c = key.id().compareTo(o.key.id());
            }
            return c != 0 ? c : node.compareTo(o.node);
        }
    }

    /**
     * Where the ordered view finds a slot's current entry: the per-key map, so a newer entry of a
     * known slot (a stats sample every second) changes nothing in the ordered view.
     */
    private record Ref(Map<Slot, Entry> perKey, Slot slot) {
        Entry entry() {
            return perKey.get(slot);
        }
    }

    /** A change of one leaf's hash (and so of its bucket's), by an entry whose version has these wall-clock milliseconds. */
    private record Change(int leaf, long before, long after, long millis) {
        int bucket() {
            return leaf / LEAVES_PER_BUCKET;
        }
    }

    private final UnaryOperator<Entry> currentStats;
    private final Map<ObjectKey, Map<Slot, Entry>> entries = new HashMap<>();
    private final NavigableMap<Ordered, Ref> ordered = new TreeMap<>();
    /** Certificate metas, few (one per node key): an answer may lead with those of differing buckets. */
    private final Map<Ordered, Entry> certificates = new HashMap<>();
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    /** Keys whose object slot holds a tombstone, so the collector's scan (every heartbeat) does not walk every entry. */
    private final Set<ObjectKey> tombstoneKeys = new HashSet<>();
    private final long[] buckets = new long[BUCKETS];
    /** The leaves' hashes, bucket by bucket: a bucket's hash is the sum of its leaves'. */
    private final long[] leaves = new long[BUCKETS * LEAVES_PER_BUCKET];
    private int size;

    /** An index told of every change, stats samples included. */
    StateIndex() {
        this(UnaryOperator.identity());
    }

    /**
     * An index that need not be told of every stats sample, only of each new series: a stats slot
     * hashes without its version, so a newer sample of a known series changes no bucket, and the
     * sample an answer sends is looked up when it is sent.
     *
     * @param currentStats the latest sample of the series of the given (older) sample; the given
     *                     one if none is held any more
     */
    StateIndex(UnaryOperator<Entry> currentStats) {
        this.currentStats = currentStats;
    }

    /** The entry to send for what the index holds of a slot: for stats, the series' latest sample. */
    private Entry current(Entry held) {
        return held.kind() == Entry.Kind.STATS ? currentStats.apply(held) : held;
    }

    /** Records an entry the CDB applied; ignores one older than what the index holds. */
    synchronized void update(Entry e) {
        Map<Slot, Entry> perKey = entries.computeIfAbsent(e.key(), k -> new HashMap<>());
        Slot slot = new Slot(e.kind(), slotNode(e));
        Entry old = perKey.get(slot);
        if (old != null && !e.version().isNewerThan(old.version())) {
            return;
        }
        perKey.put(slot, e);
        if (old == null) {
            ordered.put(Ordered.of(e), new Ref(perKey, slot));
        }
        if (e.kind() == Entry.Kind.META && CertificateMeta.isCertificateMeta(e)) {
            certificates.put(Ordered.of(e), e);
        }
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
        int l = leaf(e);
        long before = old == null ? 0 : hash(old);
        if (old == null) {
            size++;
        }
        long after = hash(e);
        add(l, after - before);
        changed(l, before, after, e.version().millis());
    }

    private void add(int leaf, long delta) {
        buckets[leaf / LEAVES_PER_BUCKET] += delta;
        leaves[leaf] += delta;
    }

    private void changed(int leaf, long before, long after, long millis) {
        if (recent.size() >= MAX_RECENT) {
            recent.removeFirst();
        }
        recent.addLast(new Change(leaf, before, after, millis));
    }

    /**
     * Replaces the meta and stats of an object with what the CDB holds now (after a delete, the CDB
     * drops them without publishing anything).
     */
    synchronized void replaceSideEntries(ObjectKey key, List<? extends Entry> current) {
        Map<Slot, Entry> perKey = entries.get(key);
        if (perKey != null) {
            Entry object = perKey.get(OBJECT_SLOT);
            long deletedAt = object == null ? 0 : object.version().millis();
            perKey.entrySet().removeIf(s -> {
                if (s.getKey().kind == Entry.Kind.OBJECT) {
                    return false;
                }
                Entry gone = s.getValue();
                int l = leaf(gone);
                long h = hash(gone);
                add(l, -h);
                size--;
                Ordered at = Ordered.of(gone);
                ordered.remove(at);
                certificates.remove(at);
                // never dated before the entry it removes: a settled view then leaves out both or neither
                changed(l, h, 0, Math.max(deletedAt, gone.version().millis()));
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
            ordered.remove(Ordered.of(tombstone));
            tombstoneKeys.remove(tombstone.key());
            add(leaf(tombstone), -hash(tombstone));
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

    /**
     * The bucket hashes as they would be without the changes by entries dated after
     * {@code cutoffMillis} (wall clock of their versions): two nodes asked with the same cutoff
     * agree on them while they differ only by entries written since, still in flight. Exact for
     * changes within the last {@value #MAX_RECENT} and {@value #RECENT_MILLIS} ms before the cutoff;
     * beyond that a change counts as settled.
     */
    synchronized long[] settledBuckets(long cutoffMillis) {
        return settled(cutoffMillis, NO_BUCKETS).buckets();
    }

    private static final int[] NO_BUCKETS = new int[0];

    /** Settled hashes at one cutoff: every bucket's, and the leaves of the buckets asked for ({@code leaves[i]} those of the i-th). */
    record Settled(long[] buckets, long[][] leaves) {
    }

    /**
     * The bucket hashes as {@link #settledBuckets} gives them and, for each of {@code bucketList},
     * its {@value #LEAVES_PER_BUCKET} leaf hashes settled the same way: one walk of the recent
     * changes for both (a pull with leaves needs both, on the puller and on the answerer).
     */
    synchronized Settled settled(long cutoffMillis, int[] bucketList) {
        dropUnsettleable(cutoffMillis);
        long[] out = buckets.clone();
        long[][] leafOut = new long[bucketList.length][];
        int[] slot = null;
        if (bucketList.length > 0) {
            slot = new int[BUCKETS];
            java.util.Arrays.fill(slot, -1);
            for (int i = 0; i < bucketList.length; i++) {
                slot[bucketList[i]] = i;
                leafOut[i] = java.util.Arrays.copyOfRange(leaves, bucketList[i] * LEAVES_PER_BUCKET, (bucketList[i] + 1) * LEAVES_PER_BUCKET);
            }
        }
        for (Change c : recent) {
            if (c.millis() > cutoffMillis) {
                long undo = c.before() - c.after(); // the sums commute: undone in any order
                out[c.bucket()] += undo;
                int i = slot == null ? -1 : slot[c.bucket()];
                if (i >= 0) {
                    leafOut[i][c.leaf() % LEAVES_PER_BUCKET] += undo;
                }
            }
        }
        return new Settled(out, leafOut);
    }

    private void dropUnsettleable(long cutoffMillis) {
        while (!recent.isEmpty() && recent.peekFirst().millis() < cutoffMillis - RECENT_MILLIS) {
            recent.removeFirst();
        }
    }

    /**
     * Up to about {@code limit} entries of the wanted buckets at positions from {@code from}
     * (inclusive) to {@code to} (exclusive, unsigned), in position order; never ending between two
     * entries of one position, so the caller goes on from the last one's position + 1.
     */
    synchronized List<Entry> next(long from, long to, boolean[] wanted, int limit) {
        List<Entry> out = new ArrayList<>(Math.min(limit, 256));
        long at = from;
        long last = END; // no entry's position
        while (Long.compareUnsigned(at, to) < 0) {
            int b = (int) (at >>> 56);
            if (!wanted[b]) {
                if (b == BUCKETS - 1) {
                    break;
                }
                at = (long) (b + 1) << 56;
                continue;
            }
            long bucketEnd = b == BUCKETS - 1 ? END : (long) (b + 1) << 56;
            long end = Long.compareUnsigned(bucketEnd, to) < 0 ? bucketEnd : to;
            NavigableMap<Ordered, Ref> span = end == END ? ordered.tailMap(Ordered.probe(at), true)
                    : ordered.subMap(Ordered.probe(at), true, Ordered.probe(end), false);
            for (Map.Entry<Ordered, Ref> x : span.entrySet()) {
                if (out.size() >= limit && x.getKey().position() != last) {
                    return out;
                }
                out.add(current(x.getValue().entry()));
                last = x.getKey().position();
            }
            if (end == END || end == to) {
                break;
            }
            at = end;
        }
        return out;
    }

    /** The certificate metas in the wanted buckets. */
    synchronized List<Entry> certificatesIn(boolean[] wanted) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : certificates.values()) {
            if (wanted[bucket(e)]) {
                out.add(e);
            }
        }
        return out;
    }

    /** The entries of the given buckets. */
    synchronized List<Entry> entriesIn(boolean[] wanted) {
        List<Entry> out = new ArrayList<>();
        for (Map<Slot, Entry> perKey : entries.values()) {
            for (Entry e : perKey.values()) {
                if (wanted[bucket(e)]) {
                    out.add(current(e));
                }
            }
        }
        return out;
    }

    /** Every entry, for tests and diagnostics. */
    synchronized List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        entries.values().forEach(m -> m.values().forEach(e -> out.add(current(e))));
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
        return (int) (slotHash(e) & (BUCKETS - 1));
    }

    /** The entry's leaf: its bucket times {@value #LEAVES_PER_BUCKET} plus the next 8 bits of its position. */
    static int leaf(Entry e) {
        return leafOf(position(e));
    }

    /** The leaf of a position: its top 16 bits (the positions of a leaf are contiguous). */
    static int leafOf(long position) {
        return (int) (position >>> 48);
    }

    /**
     * The entry's place in anti-entropy's stream order, the same on every node: its bucket in the
     * top 8 bits, then 55 bits of its slot's hash, the lowest bit 0.
     */
    static long position(Entry e) {
        long h = slotHash(e);
        return ((h & (BUCKETS - 1)) << 56) | (((h >>> 8) << 1) & 0x00FF_FFFF_FFFF_FFFEL);
    }

    private static long slotHash(Entry e) {
        long h = BUCKET_PREFIX[e.kind().ordinal()][e.key().type().ordinal()];
        h = fnv(h, e.key().id());
        h = fnv(h, slotNode(e));
        return mix(h);
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
