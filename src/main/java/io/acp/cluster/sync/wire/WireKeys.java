package io.acp.cluster.sync.wire;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes the object key of a received entry (its type and id strings, as {@link EntryCodec}
 * writes them) through a small fixed cache of keys already parsed and validated: a sample of a
 * known object, nearly every entry at scale, costs one comparison of its key's bytes and yields
 * the same {@link ObjectKey} instance every time, instead of a type look-up, a validation of the
 * id character by character and a new key. The same instance also makes the look-ups of the
 * CDB's and the sync's maps, which hold the key of the object's first entry, end on an identity
 * check rather than a comparison of cold fields.
 *
 * <p>Like {@link WireStrings}: direct-mapped ({@value #SLOTS} slots; a new key replaces the one in
 * its slot), a hit only when the bytes are equal, so a key is always what parsing them makes;
 * slots hold immutable pairs, so threads share the cache without locks.
 */
final class WireKeys {

    static final int SLOTS = 65536;

    /** Type and id as on the wire (two length-prefixed strings); longer spans are not cached (ids are at most 128). */
    private static final int MAX_CACHED_LENGTH = 2 + 16 + 2 + ObjectKey.MAX_ID_LENGTH;

    private record Cached(byte[] wire, ObjectKey key) {
    }

    private static final Cached[] CACHE = new Cached[SLOTS];

    private WireKeys() {
    }

    /**
     * Reads a key (type string, id string) at the buffer's position and moves past it.
     *
     * @throws IllegalArgumentException if it is cut short, the type is unknown or the id is not an id
     */
    static ObjectKey decode(ByteBuffer b) {
        int start = b.position();
        if (!b.hasArray() || b.remaining() < 4) {
            return parse(b);
        }
        byte[] a = b.array();
        int off = b.arrayOffset() + start;
        int typeLength = ((a[off] & 0xFF) << 8) | (a[off + 1] & 0xFF);
        int idAt = 2 + typeLength;
        if (idAt + 2 > b.remaining()) {
            return parse(b);
        }
        int n = idAt + 2 + (((a[off + idAt] & 0xFF) << 8) | (a[off + idAt + 1] & 0xFF));
        if (n > MAX_CACHED_LENGTH || n > b.remaining()) {
            return parse(b);
        }
        int h = 0;
        for (int i = off; i < off + n; i++) {
            h = 31 * h + a[i];
        }
        int slot = (h ^ (h >>> 15)) & (SLOTS - 1);
        Cached c = CACHE[slot];
        if (c != null && c.wire.length == n && Arrays.equals(c.wire, 0, n, a, off, off + n)) {
            b.position(start + n);
            return c.key;
        }
        ObjectKey key = parse(b);
        CACHE[slot] = new Cached(Arrays.copyOfRange(a, off, off + n), key);
        return key;
    }

    private static ObjectKey parse(ByteBuffer b) {
        return new ObjectKey(ObjectType.parse(EntryCodec.string(b)), EntryCodec.string(b));
    }
}
