package io.acp.cluster.sync.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes the UTF-8 strings of received entries through a small fixed cache, so the names that
 * repeat in every datagram (object types, node ids, stats names) are one {@code String}
 * each instead of a new one per entry: no copy and no decode on a hit, and the hash the CDB's maps
 * compute is already cached in the instance they get.
 *
 * <p>A seal's author comes here too ({@code SealedCodec}): it is then the very instance of the node
 * id its entries carry and the seal slots keep, so comparing them ends on identity instead of
 * reading a kept string's bytes out of the cache for every sample.
 *
 * <p>Object ids do not come here: {@link EntryCodec} maps an id's bytes straight to its key. The
 * cache is direct-mapped ({@value #SLOTS} slots, a new string replaces the one in its slot;
 * enough for the names and node ids of 256 nodes with few collisions, at most about 3 MB beyond the
 * strings the CDB holds anyway),
 * so its size is fixed whatever a sender sends, and a hit is only taken when the bytes are equal, so
 * a string is always what {@code new String(bytes, UTF_8)} makes of them. Slots hold immutable
 * pairs with final fields: threads may share the cache without locks (a racing write loses a cached
 * string, never mixes two).
 */
public final class WireStrings {

    static final int SLOTS = 65536;

    /** Strings longer than this are decoded without the cache (JSON is never a string here; ids are at most 128). */
    static final int MAX_CACHED_LENGTH = 160;

    private record Cached(byte[] utf8, String value) {
    }

    private static final Cached[] CACHE = new Cached[SLOTS];

    private WireStrings() {
    }

    /** The string of {@code n} UTF-8 bytes of {@code a} at {@code off}. */
    public static String decode(byte[] a, int off, int n) {
        if (n > MAX_CACHED_LENGTH) {
            return new String(a, off, n, StandardCharsets.UTF_8);
        }
        int h = 0;
        for (int i = off; i < off + n; i++) {
            h = 31 * h + a[i];
        }
        int slot = (h ^ (h >>> 13)) & (SLOTS - 1);
        Cached c = CACHE[slot];
        if (c != null && c.utf8.length == n && Arrays.equals(c.utf8, 0, n, a, off, off + n)) {
            return c.value;
        }
        byte[] u = Arrays.copyOfRange(a, off, off + n);
        String s = new String(u, StandardCharsets.UTF_8);
        CACHE[slot] = new Cached(u, s);
        return s;
    }
}
