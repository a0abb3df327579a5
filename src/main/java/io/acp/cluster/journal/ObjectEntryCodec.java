package io.acp.cluster.journal;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The payload of an {@link RecordFormat#OBJECT_ENTRY} record, all binary (strings are a u16 length
 * and UTF-8, integers big-endian):
 * <pre>
 * key type (string, wire name) | key id (string) | version time (i64) | version node (string)
 * | flags (u8: bit 0 deleted, bit 1 has a subtype) | [subtype (string)] | spec (a JSON object in {@link SpecCodec}: the rest)
 * </pre>
 * Nothing of it goes through a JSON parser: the version-1 record was one JSON document, and
 * setting up Jackson's parser and tree builder per record was most of a reload.
 */
final class ObjectEntryCodec {

    private static final int DELETED = 1;
    private static final int HAS_SUBTYPE = 2;
    private static final int MAX_STRING_BYTES = 0xFFFF;

    private ObjectEntryCodec() {
    }

    /** Throws {@link IllegalArgumentException} if the entry cannot be encoded. */
    static byte[] encode(ObjectEntry e) {
        byte[] type = utf8(e.key().type().wireName(), e);
        byte[] id = utf8(e.key().id(), e);
        byte[] node = utf8(e.version().node(), e);
        byte[] subtype = e.subtype() == null ? null : utf8(e.subtype(), e);
        byte[] spec;
        try {
            spec = SpecCodec.encode(e.spec());
        } catch (UncheckedIOException x) {
            throw new IllegalArgumentException("object " + e.key() + " cannot be written: " + x.getMessage(), x);
        }
        int size = 2 + type.length + 2 + id.length + 8 + 2 + node.length + 1 + (subtype == null ? 0 : 2 + subtype.length) + spec.length;
        byte[] out = new byte[size];
        int at = string(out, 0, type);
        at = string(out, at, id);
        at = putLong(out, at, e.version().time());
        at = string(out, at, node);
        out[at++] = (byte) ((e.deleted() ? DELETED : 0) | (subtype != null ? HAS_SUBTYPE : 0));
        if (subtype != null) {
            at = string(out, at, subtype);
        }
        System.arraycopy(spec, 0, out, at, spec.length);
        return out;
    }

    /** Decodes a payload that passed its checksum; throws {@link IllegalArgumentException} if it is no object entry. */
    static ObjectEntry decode(byte[] buffer, int offset, int length) {
        PayloadCursor r = new PayloadCursor(buffer, offset, offset + length, "object entry");
        ObjectType type = ObjectType.parse(r.string16("type"));
        ObjectKey key = new ObjectKey(type, r.string16("id"));
        long time = r.i64("version time");
        Version version = new Version(time, r.string16("version node"));
        int flags = r.u8("flags");
        if ((flags & ~(DELETED | HAS_SUBTYPE)) != 0) {
            throw new IllegalArgumentException("object entry " + key + ": unknown flags " + Integer.toBinaryString(flags));
        }
        String subtype = (flags & HAS_SUBTYPE) != 0 ? r.string16("subtype") : null;
        JsonNode spec;
        try {
            spec = SpecCodec.readWhole(r.rest("spec"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("object entry " + key + ": " + e.getMessage(), e);
        }
        if (!spec.isObject()) {
            throw new IllegalArgumentException("object entry " + key + " needs an object spec");
        }
        return new ObjectEntry(key, subtype, spec, version, (flags & DELETED) != 0);
    }

    private static byte[] utf8(String s, ObjectEntry owner) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("object " + owner.key() + ": a name of " + b.length + " bytes is over the journal's limit of " + MAX_STRING_BYTES);
        }
        return b;
    }

    private static int string(byte[] out, int at, byte[] s) {
        out[at] = (byte) (s.length >>> 8);
        out[at + 1] = (byte) s.length;
        System.arraycopy(s, 0, out, at + 2, s.length);
        return at + 2 + s.length;
    }

    private static int putLong(byte[] out, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
        return at + 8;
    }
}
