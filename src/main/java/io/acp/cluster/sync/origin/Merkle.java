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

    /** The root a leaf hash and its path (siblings from the leaf up) lead to. */
    static byte[] rootFromPath(MessageDigest d, byte[] leafHash, int leaf, byte[] path) {
        byte[] h = leafHash;
        int index = leaf;
        byte[] sibling = new byte[HASH_LENGTH];
        for (int level = 0; level < path.length / HASH_LENGTH; level++) {
            System.arraycopy(path, level * HASH_LENGTH, sibling, 0, HASH_LENGTH);
            h = (index & 1) == 0 ? inner(d, h, sibling) : inner(d, sibling, h);
            index >>= 1;
        }
        return h;
    }

    /**
     * The sibling hashes a receiver needs, besides the leaves themselves, to climb from a set of
     * leaves to the root (a multiproof), in the order {@link #rootFromProof} consumes them: level by
     * level from the leaves up, left to right. A node is left out when it can be computed from the
     * leaves, so a run of neighbouring leaves costs a few hashes in all rather than a path each.
     *
     * @param leaves strictly ascending leaf indices
     * @param paths  each leaf's full path ({@code height} siblings from the leaf up), in the same order
     */
    static byte[] proof(int height, int[] leaves, byte[][] paths) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int n = leaves.length;
        int[] index = leaves.clone();
        int[] first = new int[n]; // for each node of the current level, a leaf under it (its path has the node's sibling)
        for (int k = 0; k < n; k++) {
            first[k] = k;
        }
        for (int level = 0; level < height; level++) {
            int m = 0;
            for (int k = 0; k < n; k++) {
                int i = index[k];
                int leafUnder = first[k]; // every leaf under a node shares its path above it
                if ((i & 1) == 0 && k + 1 < n && index[k + 1] == i + 1) {
                    k++; // both children present: nothing to send
                } else {
                    out.write(paths[leafUnder], level * HASH_LENGTH, HASH_LENGTH);
                }
                index[m] = i >> 1;
                first[m] = leafUnder;
                m++;
            }
            n = m;
        }
        return out.toByteArray();
    }

    /** What {@link #rootFromProof} computes: the root, and each leaf's full path (for relaying it alone later). */
    record Climb(byte[] root, byte[][] paths) {
    }

    /**
     * Climbs from leaves to the root, taking the siblings it cannot compute from {@code proof} in
     * the order {@link #proof} writes them.
     *
     * @param leaves     strictly ascending leaf indices, each below 2^height
     * @param leafHashes their hashes, in the same order
     * @throws IllegalArgumentException if the indices are out of order or range, or the proof has
     *                                  too few or too many hashes
     */
    static Climb rootFromProof(MessageDigest d, int height, int[] leaves, byte[][] leafHashes, java.nio.ByteBuffer proof) {
        int n = leaves.length;
        if (n == 0) {
            throw new IllegalArgumentException("a sealed group has no entries");
        }
        for (int k = 0; k < n; k++) {
            if (leaves[k] < 0 || leaves[k] >= (1 << height) || (k > 0 && leaves[k] <= leaves[k - 1])) {
                throw new IllegalArgumentException("sealed group's leaves are not ascending within a tree of height " + height);
            }
        }
        byte[][] paths = new byte[n][height * HASH_LENGTH];
        int[] index = leaves.clone();
        byte[][] hash = leafHashes.clone();
        int[] from = new int[n]; // the leaves under node k are from[k] .. to[k]-1
        int[] to = new int[n];
        for (int k = 0; k < n; k++) {
            from[k] = k;
            to[k] = k + 1;
        }
        try {
            for (int level = 0; level < height; level++) {
                int m = 0;
                for (int k = 0; k < n; k++) {
                    int i = index[k];
                    byte[] parent;
                    int lo = from[k];
                    int hi = to[k];
                    if ((i & 1) == 0 && k + 1 < n && index[k + 1] == i + 1) {
                        setPaths(paths, level, lo, hi, hash[k + 1]);
                        setPaths(paths, level, from[k + 1], to[k + 1], hash[k]);
                        parent = inner(d, hash[k], hash[k + 1]);
                        hi = to[k + 1];
                        k++;
                    } else {
                        byte[] sibling = new byte[HASH_LENGTH];
                        proof.get(sibling);
                        setPaths(paths, level, lo, hi, sibling);
                        parent = (i & 1) == 0 ? inner(d, hash[k], sibling) : inner(d, sibling, hash[k]);
                    }
                    index[m] = i >> 1;
                    hash[m] = parent;
                    from[m] = lo;
                    to[m] = hi;
                    m++;
                }
                n = m;
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("sealed group's proof is cut short");
        }
        if (proof.hasRemaining()) {
            throw new IllegalArgumentException("sealed group's proof has " + proof.remaining() / HASH_LENGTH + " hashes too many");
        }
        return new Climb(hash[0], paths);
    }

    private static void setPaths(byte[][] paths, int level, int from, int to, byte[] sibling) {
        for (int j = from; j < to; j++) {
            System.arraycopy(sibling, 0, paths[j], level * HASH_LENGTH, HASH_LENGTH);
        }
    }

    /** How many hashes {@link #proof} writes for these leaves (strictly ascending): the same climb, without the hashes. */
    static int proofSize(int height, int[] leaves) {
        int n = leaves.length;
        int[] index = leaves.clone();
        int size = 0;
        for (int level = 0; level < height; level++) {
            int m = 0;
            for (int k = 0; k < n; k++) {
                int i = index[k];
                if ((i & 1) == 0 && k + 1 < n && index[k + 1] == i + 1) {
                    k++;
                } else {
                    size++;
                }
                index[m++] = i >> 1;
            }
            n = m;
        }
        return size;
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
