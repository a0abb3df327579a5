package io.acp.cluster.sync.origin;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * Checks seals. The ECDSA verification is the cost (tens of microseconds); the hashes are not. So
 * each verified batch signature remembers the tree nodes it vouched for (every node on the path of
 * an entry checked under it, siblings included), and the next entry of the same batch is accepted
 * as soon as its climb meets one of them: typically one leaf hash. A batch is thus verified once
 * per receiver however its entries arrive (one message, several, or relayed). Bounded: the most
 * recent {@value #REMEMBERED_BATCHES} batches. Not thread-safe: the sync thread.
 */
final class SealVerifier {

    static final int REMEMBERED_BATCHES = 512;

    private record Batch(String author, long keyId, int height, ByteBuffer signature) {
    }

    private record Node(int level, int index, long high, long low) {
        static Node of(int level, int index, byte[] hash) {
            ByteBuffer b = ByteBuffer.wrap(hash);
            return new Node(level, index, b.getLong(), b.getLong());
        }
    }

    private final MessageDigest digest = Merkle.sha256();
    private final Map<Batch, Set<Node>> verified = new LinkedHashMap<>(REMEMBERED_BATCHES, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Batch, Set<Node>> eldest) {
            return size() > REMEMBERED_BATCHES;
        }
    };
    private long signaturesVerified;

    /** Whether {@code seal} proves that {@code encoded} was signed by the holder of {@code key}. */
    boolean verify(byte[] encoded, Seal seal, ECPublicKeyParameters key) {
        Batch batch = new Batch(seal.author(), seal.keyId(), seal.height(), ByteBuffer.wrap(seal.signature()));
        Set<Node> known = verified.get(batch);
        byte[] h = Merkle.leaf(digest, encoded);
        int index = seal.leaf();
        List<Node> climbed = new ArrayList<>(2 * seal.height() + 1);
        for (int level = 0; ; level++) {
            Node n = Node.of(level, index, h);
            if (known != null && known.contains(n)) {
                known.addAll(climbed);
                return true;
            }
            climbed.add(n);
            if (level == seal.height()) {
                break;
            }
            byte[] sibling = new byte[Merkle.HASH_LENGTH];
            System.arraycopy(seal.path(), level * Merkle.HASH_LENGTH, sibling, 0, Merkle.HASH_LENGTH);
            climbed.add(Node.of(level, index ^ 1, sibling));
            h = (index & 1) == 0 ? Merkle.inner(digest, h, sibling) : Merkle.inner(digest, sibling, h);
            index >>= 1;
        }
        signaturesVerified++;
        if (!EcdsaP256.verify(key, Merkle.signedDigest(digest, seal.author(), seal.keyId(), seal.height(), h), seal.signature())) {
            return false;
        }
        if (known == null) {
            known = new HashSet<>();
            verified.put(batch, known);
        }
        known.addAll(climbed);
        return true;
    }

    /** ECDSA verifications done (the rest were answered from remembered batches). */
    long signaturesVerified() {
        return signaturesVerified;
    }
}
