package io.acp.cluster.sync.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.StatsValues;
import io.acp.model.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entries in DELTA and ENTRIES bodies, in a compact binary form; each entry is a 4-byte length and
 * then (strings are a 2-byte length and UTF-8):
 * <pre>
 * kind (1: 1 object, 2 meta, 3 stats; 4 is a stats set, {@link StatsSetCodec}) | type (string) | id (string) | version time (8) | version node (string)
 * object: flags (1: bit 0 deleted, bit 1 has subtype) | [subtype (string)] | spec (4-byte length, JSON)
 * meta:   node (string) | values (4-byte length, JSON)
 * stats:  node (string) | count (2) | count × (name (string), value (8, IEEE double))
 * </pre>
 * Stats, the bulk of the traffic, carry no JSON at all. Decoding a body that is cut short or
 * inconsistent throws {@link IllegalArgumentException}.
 */
public final class EntryCodec {

    private static final int OBJECT = 1;
    private static final int META = 2;
    private static final int STATS = 3;

    private EntryCodec() {
    }

    /** One entry as it appears in a body: length prefix included. */
    public static byte[] encode(Entry e) {
        Buffer out = new Buffer(128);
        encodeTo(e, out);
        return out.toByteArray();
    }

    /**
     * Appends one entry, length prefix included, to {@code out}: what a sender that packs several
     * entries into a body uses, with no array of its own per entry. If the entry has no wire form
     * ({@link IllegalArgumentException}), {@code out} is as it was.
     */
    public static void encodeTo(Entry e, Buffer out) {
        int start = out.size();
        try {
            out.writeInt(0); // length, patched below
            out.write(e instanceof ObjectEntry ? OBJECT : e instanceof MetaEntry ? META : STATS);
            out.writeString(e.key().type().wireName());
            out.writeString(e.key().id());
            out.writeLong(e.version().time());
            out.writeString(e.version().node());
            if (e instanceof ObjectEntry o) {
                out.write((o.deleted() ? 1 : 0) | (o.subtype() != null ? 2 : 0));
                if (o.subtype() != null) {
                    out.writeString(o.subtype());
                }
                json(out, o.spec());
            } else if (e instanceof MetaEntry m) {
                out.writeString(m.node());
                json(out, m.values());
            } else {
                StatsEntry s = (StatsEntry) e;
                out.writeString(s.node());
                if (s.values().size() > 0xFFFF) {
                    throw new IllegalArgumentException("stats of " + s.key() + " have " + s.values().size() + " values, at most 65535 fit");
                }
                out.writeShort(s.values().size());
                StatsValues values = (StatsValues) s.values(); // what StatsEntry always holds
                for (int i = 0; i < values.size(); i++) {
                    out.writeString(values.name(i));
                    out.writeLong(Double.doubleToLongBits(values.value(i)));
                }
            }
        } catch (IllegalArgumentException ex) {
            out.truncate(start);
            throw ex;
        }
        out.patchInt(start, out.size() - start - 4);
    }

    /**
     * A growing byte buffer with the writes of the wire form (big-endian, as {@link java.io.DataOutputStream}
     * writes them) and a length patched in place; reusable with {@link #reset}. Not a
     * {@code ByteArrayOutputStream}, whose every write takes a lock. Not thread-safe.
     */
    public static final class Buffer {

        private byte[] buf;
        private int count;

        public Buffer(int initialSize) {
            buf = new byte[Math.max(16, initialSize)];
        }

        public int size() {
            return count;
        }

        public void reset() {
            count = 0;
        }

        public byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }

        void write(int b) {
            if (count == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[count++] = (byte) b;
        }

        void write(byte[] b, int off, int len) {
            if (count + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        void writeShort(int v) {
            write(v >>> 8);
            write(v);
        }

        void writeInt(int v) {
            writeShort(v >>> 16);
            writeShort(v);
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        /** A 2-byte length and UTF-8; ASCII (ids, names) without an array per string. */
        void writeString(String s) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) >= 0x80) {
                    byte[] u = s.getBytes(StandardCharsets.UTF_8);
                    checkLength(s, u.length);
                    writeShort(u.length);
                    write(u, 0, u.length);
                    return;
                }
            }
            checkLength(s, n);
            writeShort(n);
            for (int i = 0; i < n; i++) {
                write(s.charAt(i));
            }
        }

        private static void checkLength(String s, int n) {
            if (n > 0xFFFF) {
                throw new IllegalArgumentException("'" + s.substring(0, 40) + "…' is longer than 65535 bytes");
            }
        }

        void patchInt(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        /** Drops what was written from {@code size} on. */
        public void truncate(int size) {
            count = size;
        }

        /** The bytes written so far, not a copy: valid until the next write or reset. */
        public byte[] array() {
            return buf;
        }

        /** Moves the bytes from {@code from} on to the start, dropping those before it. */
        public void dropBefore(int from) {
            System.arraycopy(buf, from, buf, 0, count - from);
            count -= from;
        }
    }

    /**
     * Reads one length-prefixed entry at the buffer's position and moves past it.
     *
     * @throws IllegalArgumentException if it is cut short or inconsistent
     */
    public static Entry decodeOne(ByteBuffer b) {
        return prefixed(b, "entry", EntryCodec::entry);
    }

    /**
     * Reads what a 4-byte length at the buffer's position prefixes, with {@code read}, and moves
     * past it; {@code what} names it in errors. The content is read within a lowered limit of the
     * same buffer, not a slice of it: no buffer per entry.
     *
     * @throws IllegalArgumentException if it is cut short, or {@code read} leaves bytes of it over
     */
    static <T> T prefixed(ByteBuffer b, String what, java.util.function.Function<ByteBuffer, T> read) {
        int start = b.position();
        int limit = b.limit();
        try {
            int n = b.getInt();
            if (n < 1 || n > b.remaining()) {
                throw new IllegalArgumentException(what + " length " + n + " at byte " + start + " exceeds the " + b.remaining() + " bytes left");
            }
            int end = b.position() + n;
            b.limit(end);
            T out = read.apply(b);
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(what + " at byte " + start + " has " + b.remaining() + " bytes left over");
            }
            b.limit(limit);
            b.position(end);
            return out;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException(what + " at byte " + start + " is cut short");
        } finally {
            b.limit(limit);
        }
    }

    public static List<Entry> decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        List<Entry> out = new ArrayList<>();
        while (b.hasRemaining()) {
            out.add(decodeOne(b));
        }
        return out;
    }

    private static Entry entry(ByteBuffer b) {
        int kind = b.get();
        ObjectKey key = key(ObjectType.parse(string(b)), b);
        Version version = new Version(b.getLong(), string(b));
        switch (kind) {
            case OBJECT -> {
                int flags = b.get();
                String subtype = (flags & 2) != 0 ? string(b) : null;
                return new ObjectEntry(key, subtype, json(b), version, (flags & 1) != 0);
            }
            case META -> {
                String node = string(b);
                JsonNode values = json(b);
                if (!values.isObject()) {
                    throw new IllegalArgumentException("meta values of " + key + " are not a JSON object");
                }
                return new MetaEntry(key, node, (com.fasterxml.jackson.databind.node.ObjectNode) values, version);
            }
            case STATS -> {
                String node = string(b);
                int count = b.getShort() & 0xFFFF;
                String[] names = new String[count];
                double[] values = new double[count];
                for (int i = 0; i < count; i++) {
                    names[i] = string(b);
                    values[i] = b.getDouble();
                }
                return new StatsEntry(key, node, StatsValues.of(names, values), version);
            }
            default -> throw new IllegalArgumentException("unknown entry kind " + kind);
        }
    }

    /**
     * The key of a received entry, its id read at the buffer's position: the one decoded before for
     * the same type and id bytes if its set still holds it, else a new (validated) one. The cache
     * maps the id's bytes straight to the key: a hit compares the bytes with those the set keeps
     * beside the key and touches nothing else (the id used to be looked up as a string first, then
     * its key in a second cache: about twice the cache misses per entry for the one string that
     * differs in every entry, at 12,600 ids a second each read out of the cache). A hit also hands
     * out the very instance the CDB's maps took as their key when the object first came, so their
     * look-ups end on identity; that holds only while the key stays cached, so the cache is two-way
     * (a direct-mapped one of 16,384 slots evicted about half of 12,600 keys each round, and each
     * miss validated a new key and made every later look-up of that object compare ids). Fixed in
     * size whatever a sender sends; entries are immutable with final fields, so threads share it
     * without locks (a racing write loses a cached key, never mixes two).
     */
    static ObjectKey key(ObjectType type, ByteBuffer b) {
        int n = b.getShort() & 0xFFFF;
        if (n > b.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes exceeds the " + b.remaining() + " bytes left");
        }
        if (!b.hasArray() || n > ObjectKey.MAX_ID_LENGTH) {
            b.position(b.position() - 2);
            return new ObjectKey(type, string(b)); // longer than any id (ids are ASCII): refused by the validation
        }
        ObjectKey key = cachedKey(type, b.array(), b.arrayOffset() + b.position(), n);
        b.position(b.position() + n);
        return key;
    }

    /**
     * The key of {@code type} whose id is the {@code n} bytes of {@code a} at {@code off} (at most
     * {@link ObjectKey#MAX_ID_LENGTH}): the one in the cache of {@link #key(ObjectType, ByteBuffer)} or
     * a new one, validated.
     *
     * @throws IllegalArgumentException if the id breaks a rule of keys
     */
    public static ObjectKey cachedKey(ObjectType type, byte[] a, int off, int n) {
        int h = type.ordinal();
        for (int i = off; i < off + n; i++) {
            h = 31 * h + a[i];
        }
        int slot = ((h ^ (h >>> 15)) & (KEY_SETS - 1)) << 1;
        CachedKey k = KEYS[slot];
        if (k != null && k.type == type && Arrays.equals(k.utf8, 0, k.utf8.length, a, off, off + n)) {
            return k.key;
        }
        CachedKey other = KEYS[slot + 1];
        if (other != null && other.type == type && Arrays.equals(other.utf8, 0, other.utf8.length, a, off, off + n)) {
            return other.key;
        }
        byte[] utf8 = Arrays.copyOfRange(a, off, off + n);
        ObjectKey key = new ObjectKey(type, new String(utf8, StandardCharsets.UTF_8)); // validated once, when first seen
        CachedKey made = new CachedKey(type, utf8, key);
        if (k == null) {
            KEYS[slot] = made;
        } else if (other == null) {
            KEYS[slot + 1] = made;
        } else {
            // the newest goes first; the one it displaces takes the set's other way, whose key goes
            KEYS[slot + 1] = k;
            KEYS[slot] = made;
        }
        return key;
    }

    /** A cached key with its id's bytes as they came, and its type, so a hit reads neither the key nor its id. */
    private record CachedKey(ObjectType type, byte[] utf8, ObjectKey key) {
    }

    /** Sets of two keys: 65,536 keys (256 KB of references), so 256 nodes × 100 objects rarely lose one. */
    private static final int KEY_SETS = 32768;

    private static final CachedKey[] KEYS = new CachedKey[KEY_SETS * 2];

    static String string(ByteBuffer b) {
        int n = b.getShort() & 0xFFFF;
        if (n > b.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes exceeds the " + b.remaining() + " bytes left");
        }
        if (!b.hasArray()) {
            byte[] u = new byte[n];
            b.get(u);
            return new String(u, StandardCharsets.UTF_8);
        }
        String s = WireStrings.decode(b.array(), b.arrayOffset() + b.position(), n);
        b.position(b.position() + n);
        return s;
    }

    private static void json(Buffer out, JsonNode node) {
        byte[] u;
        try {
            u = Json.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a tree of JSON nodes always writes
        }
        out.writeInt(u.length);
        out.write(u, 0, u.length);
    }

    private static JsonNode json(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("JSON length " + n + " exceeds the " + b.remaining() + " bytes left");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(b.array(), b.arrayOffset() + b.position(), n);
            b.position(b.position() + n);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("spec or values is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException("spec or values is not valid JSON: " + e.getMessage());
        }
    }
}
