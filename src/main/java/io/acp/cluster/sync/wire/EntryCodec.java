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
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries in DELTA and ENTRIES bodies, in a compact binary form; each entry is a 4-byte length and
 * then (strings are a 2-byte length and UTF-8):
 * <pre>
 * kind (1: 1 object, 2 meta, 3 stats) | type (string) | id (string) | version time (8) | version node (string)
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0); // length, patched below
            out.writeByte(e instanceof ObjectEntry ? OBJECT : e instanceof MetaEntry ? META : STATS);
            string(out, e.key().type().wireName());
            string(out, e.key().id());
            out.writeLong(e.version().time());
            string(out, e.version().node());
            if (e instanceof ObjectEntry o) {
                out.writeByte((o.deleted() ? 1 : 0) | (o.subtype() != null ? 2 : 0));
                if (o.subtype() != null) {
                    string(out, o.subtype());
                }
                json(out, o.spec());
            } else if (e instanceof MetaEntry m) {
                string(out, m.node());
                json(out, m.values());
            } else {
                StatsEntry s = (StatsEntry) e;
                string(out, s.node());
                if (s.values().size() > 0xFFFF) {
                    throw new IllegalArgumentException("stats of " + s.key() + " have " + s.values().size() + " values, at most 65535 fit");
                }
                out.writeShort(s.values().size());
                StatsValues values = (StatsValues) s.values(); // what StatsEntry always holds
                for (int i = 0; i < values.size(); i++) {
                    string(out, values.name(i));
                    out.writeDouble(values.value(i));
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a byte array stream does not fail
        }
        byte[] d = bytes.toByteArray();
        ByteBuffer.wrap(d).putInt(d.length - 4);
        return d;
    }

    /**
     * Reads one length-prefixed entry at the buffer's position and moves past it.
     *
     * @throws IllegalArgumentException if it is cut short or inconsistent
     */
    public static Entry decodeOne(ByteBuffer b) {
        int start = b.position();
        int limit = b.limit();
        try {
            int n = b.getInt();
            if (n < 1 || n > b.remaining()) {
                throw new IllegalArgumentException("entry length " + n + " at byte " + start + " exceeds the " + b.remaining() + " bytes left");
            }
            // the entry read within a lowered limit of the same buffer, not a slice of it: no buffer per entry
            int end = b.position() + n;
            b.limit(end);
            Entry e = entry(b);
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("entry at byte " + start + " has " + b.remaining() + " bytes left over");
            }
            b.limit(limit);
            b.position(end);
            return e;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("entry at byte " + start + " is cut short");
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
        ObjectKey key = key(ObjectType.parse(string(b)), string(b));
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
     * The key of a received entry: the one decoded last for the same type and id if its slot still
     * holds it, else a new (validated) one. Ids come from {@link WireStrings}, so a hit is mostly an
     * identity compare, and the maps that hold the key end their look-up on identity too. Direct-mapped
     * and fixed in size whatever a sender sends; keys are immutable, so threads share it without locks.
     */
    private static ObjectKey key(ObjectType type, String id) {
        int slot = (id.hashCode() * 31 + type.ordinal()) & (KEYS.length - 1);
        ObjectKey k = KEYS[slot];
        if (k != null && k.type() == type && (k.id() == id || k.id().equals(id))) {
            return k;
        }
        k = new ObjectKey(type, id);
        KEYS[slot] = k;
        return k;
    }

    /** Enough for 128 nodes × 100 objects with few collisions (128 KB). */
    private static final ObjectKey[] KEYS = new ObjectKey[16384];

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (u.length > 0xFFFF) {
            throw new IllegalArgumentException("'" + s.substring(0, 40) + "…' is longer than 65535 bytes");
        }
        out.writeShort(u.length);
        out.write(u);
    }

    private static String string(ByteBuffer b) {
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

    private static void json(DataOutputStream out, JsonNode node) throws IOException {
        byte[] u = Json.MAPPER.writeValueAsBytes(node);
        out.writeInt(u.length);
        out.write(u);
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
