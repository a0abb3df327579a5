package io.acp.cluster.sync.origin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The hash tree a batch is signed through: SHA-256 truncated to {@value #HASH_LENGTH} bytes, leaves
 * and inner nodes domain-separated (RFC 6962 style), the batch padded to a power of two with
 * empty leaves so a leaf's index alone says left or right at every level.
 */
final class Merkle {

    static final int HASH_LENGTH = 16;
    private static final byte[] EMPTY = new byte[HASH_LENGTH];
    private static final byte[] SIGNED_PREFIX = "acp sync seal v1\0".getBytes(StandardCharsets.US_ASCII);

    private Merkle() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    static byte[] leaf(MessageDigest d, byte[] encodedEntry) {
        d.update((byte) 0);
        d.update(encodedEntry);
        return Arrays.copyOf(d.digest(), HASH_LENGTH);
    }

    static byte[] inner(MessageDigest d, byte[] left, byte[] right) {
        d.update((byte) 1);
        d.update(left);
        d.update(right);
        return Arrays.copyOf(d.digest(), HASH_LENGTH);
    }

    static int heightFor(int leaves) {
        int h = 0;
        while ((1 << h) < leaves) {
            h++;
        }
        return h;
    }

    /** All levels of the tree over {@code leaves}: level 0 the padded leaves, the last level the root. */
    static byte[][][] levels(MessageDigest d, byte[][] leaves) {
        int height = heightFor(leaves.length);
        byte[][][] levels = new byte[height + 1][][];
        levels[0] = new byte[1 << height][];
        for (int i = 0; i < levels[0].length; i++) {
            levels[0][i] = i < leaves.length ? leaves[i] : EMPTY;
        }
        for (int l = 1; l <= height; l++) {
            levels[l] = new byte[levels[l - 1].length / 2][];
            for (int i = 0; i < levels[l].length; i++) {
                levels[l][i] = inner(d, levels[l - 1][2 * i], levels[l - 1][2 * i + 1]);
            }
        }
        return levels;
    }

    static byte[] path(byte[][][] levels, int leaf) {
        int height = levels.length - 1;
        ByteBuffer b = ByteBuffer.allocate(height * HASH_LENGTH);
        int i = leaf;
        for (int l = 0; l < height; l++) {
            b.put(levels[l][i ^ 1]);
            i >>= 1;
        }
        return b.array();
    }

    /**
     * The digest an author signs for a root: it names the author, the key and the tree's height, so a
     * signature cannot be moved to another author or read as a tree of another shape.
     */
    static byte[] signedDigest(MessageDigest d, String author, long keyId, int height, byte[] root) {
        d.update(SIGNED_PREFIX);
        d.update(author.getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(ByteBuffer.allocate(9).putLong(keyId).put((byte) height).array());
        d.update(root);
        return d.digest();
    }
}
