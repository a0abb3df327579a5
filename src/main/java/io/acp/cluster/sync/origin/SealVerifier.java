package io.acp.cluster.sync.origin;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * Checks seals. The ECDSA verification is the cost (tens of microseconds); the hashes are not. So
 * each root whose signature verified is remembered by (author, key, height, root), and an entry
 * whose leaf leads to a remembered root is accepted without another verification: the rest of a
 * flush split over several datagrams, or an entry relayed later by anti-entropy, costs its leaf
 * hash and the climb (which {@link SealedCodec#decode} already did once per group). A batch is
 * thus verified once per receiver however its entries arrive. A root its author vouched for by a
 * seal tag ({@link SealTags}) counts as verified without a verification. A remembered root is bound
 * to its signature: a copy under another signature is verified anew, so a kept seal is always one
 * that verified or that its author vouched for. Bounded: the most recent {@value #REMEMBERED_ROOTS}
 * roots of each kind. Not thread-safe: the sync thread.
 */
final class SealVerifier {

    static final int REMEMBERED_ROOTS = 4096;

    private record Root(String author, long keyId, int height, long high, long low) {
        static Root of(Seal s, byte[] root) {
            ByteBuffer b = ByteBuffer.wrap(root);
            return new Root(s.author(), s.keyId(), s.height(), b.getLong(), b.getLong());
        }
    }

    private final MessageDigest digest = Merkle.sha256();
    /** Roots proven, with the signature proven (a copy with another signature is checked anew, so a kept seal is always a proven one). */
    private final Map<Root, ByteBuffer> verified = new LinkedHashMap<>(REMEMBERED_ROOTS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Root, ByteBuffer> eldest) {
            return size() > REMEMBERED_ROOTS;
        }
    };
    /** Roots whose signature failed, with that signature: the rest of a forged group costs no verification either. */
    private final Map<Root, ByteBuffer> failed = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Root, ByteBuffer> eldest) {
            return size() > REMEMBERED_ROOTS;
        }
    };
    /**
     * Roots the author vouched for to this node by a seal tag ({@link SealTags}), with the signature
     * it vouched for: a seal with that root and that signature passes without a verification.
     */
    private final Map<Root, ByteBuffer> vouched = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Root, ByteBuffer> eldest) {
            return size() > REMEMBERED_ROOTS;
        }
    };
    private long signaturesVerified;
    private long sealsVouched;

    /**
     * The last seal that passed, by the instances of its group's root and signature ({@link
     * SealedCodec#decode} gives every entry of a group the same two arrays): the next entry of that
     * group is answered as the maps would answer it (its root and signature were just found proven)
     * without making and hashing a key for them, about a tenth of the origin check per entry.
     */
    private byte[] lastRoot;
    private byte[] lastSignature;
    private String lastAuthor;
    private long lastKeyId;
    private int lastHeight;
    private ECPublicKeyParameters lastKey;

    /** Whether the sealed entry was signed by the holder of {@code key}. */
    boolean verify(SealedEntry s, ECPublicKeyParameters key) {
        Seal seal = s.seal();
        if (s.root() != null && s.root() == lastRoot && seal.signature() == lastSignature && key == lastKey
                && seal.keyId() == lastKeyId && seal.height() == lastHeight && seal.author().equals(lastAuthor)) {
            return true;
        }
        boolean ok = verifyAgainstRoots(s, seal, key);
        if (ok && s.root() != null) {
            lastRoot = s.root();
            lastSignature = seal.signature();
            lastAuthor = seal.author();
            lastKeyId = seal.keyId();
            lastHeight = seal.height();
            lastKey = key;
        }
        return ok;
    }

    private boolean verifyAgainstRoots(SealedEntry s, Seal seal, ECPublicKeyParameters key) {
        byte[] root = s.root() != null
                ? s.root()
                : Merkle.rootFromPath(digest, Merkle.leaf(digest, s.encoded()), seal.leaf(), seal.path());
        Root r = Root.of(seal, root);
        ByteBuffer signature = ByteBuffer.wrap(seal.signature());
        if (signature.equals(verified.get(r))) {
            return true;
        }
        if (signature.equals(vouched.get(r))) {
            // the author's pair tag proved this root and signature are its own: no verification
            // here; a relay passes the seal on unchanged and its receivers verify it
            vouched.remove(r);
            verified.put(r, signature);
            sealsVouched++;
            return true;
        }
        if (signature.equals(failed.get(r))) {
            return false;
        }
        signaturesVerified++;
        if (!EcdsaP256.verify(key, Merkle.signedDigest(digest, seal.author(), seal.keyId(), seal.height(), root), seal.signature())) {
            failed.put(r, signature);
            return false;
        }
        verified.put(r, signature);
        return true;
    }

    /** Remembers a batch its author vouched for to this node by a seal tag (checked by {@link SealTags#open}). */
    void vouch(String author, SealTags.Batch batch) {
        ByteBuffer b = ByteBuffer.wrap(batch.root());
        vouched.put(new Root(author, batch.keyId(), batch.height(), b.getLong(), b.getLong()), ByteBuffer.wrap(batch.signature().clone()));
    }

    /** Batches accepted under a seal tag instead of a verification. */
    long sealsVouched() {
        return sealsVouched;
    }

    /** ECDSA verifications done (the rest were answered from remembered roots). */
    long signaturesVerified() {
        return signaturesVerified;
    }
}
