package io.acp.cluster.sync.wire;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.StatsValues;
import io.acp.model.Version;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stats set: the latest sample of every stats series one node reports in one part of its
 * series, as a single entry of a sealed group, so a large cluster seals, checks, keeps and relays
 * one leaf per part instead of one per sample (docs/protocol.md, "Stats sets"). A node's series are
 * split into {@code parts} parts by {@link #partOf}, the same on every node, so a newer set of a
 * part replaces the older one whole: a receiver keeps one seal per (author, part), and that seal
 * covers every current sample of the part. Same length prefix as {@link EntryCodec}'s entries, and
 * a kind byte no entry uses:
 * <pre>
 * length (4) | kind 4 (1) | time (8) | part (2) | parts (2) | node (string) | n (1) | n × string
 *   | count (2) | count × (type (1: string index) | id (string) | time (8) | values k (1) | k × (name (1: string index), value (8)))
 * </pre>
 * Strings are a 2-byte length and UTF-8; the table holds the set's type and stats names once.
 * {@code time} is the author's clock when it made the set: a newer set of a part replaces an older
 * one. Every sample is the node's; the sender puts in each key of the part once (see {@link #encode}).
 */
public final class StatsSetCodec {

    static final int KIND = 4;
    /** Series per part that {@link #partsFor} aims at: a part of 4-value samples fits a datagram. */
    public static final int SERIES_PER_PART = 16;
    public static final int MAX_PARTS = 0xFFFF;
    private static final int MAX_STRINGS = 255;

    /** A decoded set: its samples carry the set's node, as reporter and as the writer of their version. */
    public record StatsSet(String node, long time, int part, int parts, List<StatsEntry> samples) {
    }

    /**
     * Where the keys of a set come from while it is decoded. A part of a node's series names the
     * same keys in the same order set after set, so a receiver that keeps each part's last keys as
     * their bytes came (one array per part, read in order) finds the key at each position without
     * the codec's cache of keys ({@link #CACHED}), whose look-up reads three places in memory
     * untouched for a second for every sample. Either way the key is the one the bytes name.
     */
    public interface SetKeys {
        /** A set of {@code node}'s part {@code part} of {@code parts} begins; its keys follow, in order, through {@link #next}. */
        void start(String node, int part, int parts);

        /**
         * The key of the set's next sample: its type and the {@code n} bytes of its id in {@code a}
         * at {@code off} (at most {@link ObjectKey#MAX_ID_LENGTH}).
         *
         * @throws IllegalArgumentException if the id breaks a rule of keys
         */
        ObjectKey next(ObjectType type, byte[] a, int off, int n);
    }

    /** The codec's cache of keys, shared by every decoder ({@link EntryCodec#cachedKey}). */
    public static final SetKeys CACHED = new SetKeys() {
        @Override
        public void start(String node, int part, int parts) {
        }

        @Override
        public ObjectKey next(ObjectType type, byte[] a, int off, int n) {
            return EntryCodec.cachedKey(type, a, off, n);
        }
    };

    /** The header of an encoded set, read in place. */
    public record Header(long time, int part, int parts) {
    }

    private StatsSetCodec() {
    }

    /** How many parts a node's {@code series} stats series are split into. */
    public static int partsFor(int series) {
        return Math.min(MAX_PARTS, Math.max(1, (series + SERIES_PER_PART - 1) / SERIES_PER_PART));
    }

    /** The part of a node's series that the series of {@code key} falls in: a hash of the key's wire form, the same in every JVM. */
    public static int partOf(ObjectKey key, int parts) {
        int h = key.type().wireName().hashCode() * 31 + key.id().hashCode();
        return Math.floorMod(h ^ (h >>> 16), parts);
    }

    /** Whether the length-prefixed entry at {@code offset} of {@code a} is a stats set (its kind byte). */
    public static boolean isSet(byte[] a, int offset) {
        return a.length > offset + 4 && a[offset + 4] == KIND;
    }

    /** The header of an encoded set ({@link #isSet} holds for it at offset 0). */
    public static Header header(byte[] encoded) {
        ByteBuffer b = ByteBuffer.wrap(encoded, 5, 12);
        return new Header(b.getLong(), b.getShort() & 0xFFFF, b.getShort() & 0xFFFF);
    }

    /**
     * One set, length prefix included.
     *
     * @throws IllegalArgumentException if a sample is not {@code node}'s or not of the part, a key
     *                                  comes twice, a sample has more than 255 values, or the set
     *                                  more than 255 distinct types and names
     */
    public static byte[] encode(String node, long time, int part, int parts, List<StatsEntry> samples) {
        if (parts < 1 || parts > MAX_PARTS || part < 0 || part >= parts) {
            throw new IllegalArgumentException("stats set part " + part + " of " + parts + " is out of range");
        }
        Map<String, Integer> strings = new LinkedHashMap<>();
        Set<ObjectKey> keys = new HashSet<>();
        for (StatsEntry s : samples) {
            if (!s.node().equals(node) || !s.version().node().equals(node)) {
                throw new IllegalArgumentException("stats of " + s.key() + " by node " + s.node() + " cannot go in a stats set of node " + node);
            }
            if (partOf(s.key(), parts) != part || !keys.add(s.key())) {
                throw new IllegalArgumentException("stats of " + s.key() + " do not belong in part " + part + " of " + parts + " of node " + node);
            }
            StatsValues values = (StatsValues) s.values();
            if (values.size() > 255) {
                throw new IllegalArgumentException("stats of " + s.key() + " have " + values.size() + " values, a stats set holds at most 255");
            }
            strings.putIfAbsent(s.key().type().wireName(), strings.size());
            for (int i = 0; i < values.size(); i++) {
                strings.putIfAbsent(values.name(i), strings.size());
            }
        }
        if (strings.size() > MAX_STRINGS) {
            throw new IllegalArgumentException("a stats set of node " + node + " would name " + strings.size() + " types and stats, at most " + MAX_STRINGS);
        }
        EntryCodec.Buffer out = new EntryCodec.Buffer(64 + samples.size() * 72);
        out.writeInt(0); // length, patched below
        out.write(KIND);
        out.writeLong(time);
        out.writeShort(part);
        out.writeShort(parts);
        out.writeString(node);
        out.write(strings.size());
        for (String s : strings.keySet()) {
            out.writeString(s);
        }
        if (samples.size() > 0xFFFF) {
            throw new IllegalArgumentException("a stats set of node " + node + " holds at most 65535 samples");
        }
        out.writeShort(samples.size());
        for (StatsEntry s : samples) {
            StatsValues values = (StatsValues) s.values();
            out.write(strings.get(s.key().type().wireName()));
            out.writeString(s.key().id());
            out.writeLong(s.version().time());
            out.write(values.size());
            for (int i = 0; i < values.size(); i++) {
                out.write(strings.get(values.name(i)));
                out.writeLong(Double.doubleToLongBits(values.value(i)));
            }
        }
        out.patchInt(0, out.size() - 4);
        return out.toByteArray();
    }

    /**
     * Reads one length-prefixed set at the buffer's position and moves past it.
     *
     * @throws IllegalArgumentException if it is cut short or breaks a rule of the form (each named)
     */
    public static StatsSet decodeOne(ByteBuffer b) {
        return decodeOne(b, CACHED);
    }

    /** {@link #decodeOne(ByteBuffer)}, its keys found through {@code keys}. */
    public static StatsSet decodeOne(ByteBuffer b, SetKeys keys) {
        return EntryCodec.prefixed(b, "stats set", in -> set(in, keys));
    }

    private static StatsSet set(ByteBuffer b, SetKeys keys) {
        if (b.get() != KIND) {
            throw new IllegalArgumentException("entry is not a stats set");
        }
        long time = b.getLong();
        int part = b.getShort() & 0xFFFF;
        int parts = b.getShort() & 0xFFFF;
        if (parts < 1 || part >= parts) {
            throw new IllegalArgumentException("stats set part " + part + " of " + parts + " is out of range");
        }
        String node = EntryCodec.string(b);
        String[] strings = new String[b.get() & 0xFF];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = EntryCodec.string(b);
        }
        int count = b.getShort() & 0xFFFF;
        List<StatsEntry> samples = new ArrayList<>(count);
        keys.start(node, part, parts);
        // not checked here, as encode does: that each key is of the part, and comes once. Only the
        // author can seal a set of its stats, and a sample of another part is merged but never
        // found in this set when relayed ({@code StatsSetSeals}), so it could only hurt the relay
        // of its own author's stats; the checks cost a tenth of the receiving thread
        for (int k = 0; k < count; k++) {
            ObjectKey key = key(ObjectType.parse(string(strings, b.get() & 0xFF, node)), b, keys);
            Version version = new Version(b.getLong(), node);
            String[] names = new String[b.get() & 0xFF];
            double[] values = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                names[i] = string(strings, b.get() & 0xFF, node);
                values[i] = b.getDouble();
            }
            samples.add(new StatsEntry(key, node, StatsValues.of(names, values), version));
        }
        return new StatsSet(node, time, part, parts, samples);
    }

    /** A sample's key, its id read at the buffer's position; an id longer than any key's is refused by the key's rules. */
    private static ObjectKey key(ObjectType type, ByteBuffer b, SetKeys keys) {
        int n = b.getShort() & 0xFFFF;
        if (n > b.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes exceeds the " + b.remaining() + " bytes left");
        }
        if (!b.hasArray() || n > ObjectKey.MAX_ID_LENGTH) {
            b.position(b.position() - 2);
            return EntryCodec.key(type, b);
        }
        ObjectKey key = keys.next(type, b.array(), b.arrayOffset() + b.position(), n);
        b.position(b.position() + n);
        return key;
    }

    private static String string(String[] strings, int index, String node) {
        if (index >= strings.length) {
            throw new IllegalArgumentException("stats set of node " + node + " refers to string " + index + " of " + strings.length);
        }
        return strings[index];
    }
}
