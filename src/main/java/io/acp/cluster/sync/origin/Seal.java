package io.acp.cluster.sync.origin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The proof that one entry was written by {@code author}: the author signed the root of a hash
 * tree over a batch of its entries, and {@code path} leads from this entry's leaf to that root.
 * Relays carry the seal unchanged, so any node can check it without trusting the relay.
 *
 * @param keyId     which of the author's certificates signed: the first 8 bytes of SHA-256 over its public key
 * @param height    the tree's height: it has 2^height leaves (the batch padded with empty leaves)
 * @param leaf      this entry's leaf index
 * @param path      the sibling hashes from the leaf up, {@value Merkle#HASH_LENGTH} bytes each, {@code height} of them
 * @param signature the author's ECDSA P-256 signature (r ‖ s) over the root
 */
public record Seal(String author, long keyId, int height, int leaf, byte[] path, byte[] signature) {

    public static final int MAX_HEIGHT = 16;

    public Seal {
        if (author.isEmpty() || author.length() > 255) {
            throw new IllegalArgumentException("seal author must be 1..255 characters");
        }
        if (height < 0 || height > MAX_HEIGHT || leaf < 0 || leaf >= (1 << height)) {
            throw new IllegalArgumentException("seal of " + author + " has leaf " + leaf + " in a tree of height " + height);
        }
        if (path.length != height * Merkle.HASH_LENGTH || signature.length != EcdsaP256.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("seal of " + author + " has a path of " + path.length + " bytes for height " + height
                    + " and a signature of " + signature.length + " bytes");
        }
    }

    /** Bytes on the wire: author (1-byte length, ASCII), key id (8), height (1), leaf (2), path, signature (64). */
    public int length() {
        return 1 + author.length() + 8 + 1 + 2 + path.length + signature.length;
    }

    public void writeTo(ByteBuffer b) {
        b.put((byte) author.length());
        b.put(author.getBytes(StandardCharsets.US_ASCII));
        b.putLong(keyId);
        b.put((byte) height);
        b.putShort((short) leaf);
        b.put(path);
        b.put(signature);
    }

    /** Reads a seal; throws {@link IllegalArgumentException} if it is cut short or inconsistent. */
    public static Seal readFrom(ByteBuffer b) {
        try {
            int n = b.get() & 0xFF;
            byte[] a = new byte[n];
            b.get(a);
            long keyId = b.getLong();
            int height = b.get() & 0xFF;
            int leaf = b.getShort() & 0xFFFF;
            if (height > MAX_HEIGHT) {
                throw new IllegalArgumentException("seal tree height " + height + " exceeds " + MAX_HEIGHT);
            }
            byte[] path = new byte[height * Merkle.HASH_LENGTH];
            b.get(path);
            byte[] sig = new byte[EcdsaP256.SIGNATURE_LENGTH];
            b.get(sig);
            return new Seal(new String(a, StandardCharsets.US_ASCII), keyId, height, leaf, path, sig);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("seal is cut short");
        }
    }
}
