package io.acp.cluster.sync.origin;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.jboss.logging.Logger;

/**
 * Seals batches of this node's entries with its node key: one signature per batch, over the root
 * of a hash tree whose leaves are the entries (see {@link Seal}). A batch is what one flush or one
 * anti-entropy answer sends, so the cost is one signature per message, not per entry, and every
 * entry can still be checked alone. Thread-safe.
 */
public final class NodeSigner {

    private static final Logger LOG = Logger.getLogger(NodeSigner.class);

    /** Leaves per tree: a larger batch is sealed as several trees. */
    static final int MAX_BATCH = 4096;

    private final String node;
    private final ECPrivateKeyParameters key;
    private final X509Certificate certificate;
    private final long keyId;

    public NodeSigner(String node, PrivateKey key, X509Certificate certificate) {
        this.node = node;
        this.key = EcdsaP256.privateKey(key);
        this.certificate = certificate;
        this.keyId = keyId(certificate.getPublicKey());
    }

    public String node() {
        return node;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public long keyId() {
        return keyId;
    }

    /** The first 8 bytes of SHA-256 over the encoded public key: names a key in a seal. */
    public static long keyId(PublicKey key) {
        byte[] h = Merkle.sha256().digest(key.getEncoded());
        return java.nio.ByteBuffer.wrap(h).getLong();
    }

    /**
     * The static-static ECDH value (the x coordinate, 32 bytes) of this node's key and a peer's
     * certified key: the input of a pair key ({@link PairTags}).
     */
    byte[] agree(org.bouncycastle.crypto.params.ECPublicKeyParameters peer) {
        org.bouncycastle.crypto.agreement.ECDHBasicAgreement a = new org.bouncycastle.crypto.agreement.ECDHBasicAgreement();
        a.init(key);
        return org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, a.calculateAgreement(peer));
    }

    /** Signs a 32-byte digest with the node key (control messages: {@link ControlSealer}). */
    byte[] signDigest(byte[] digest) {
        return EcdsaP256.sign(key, digest);
    }

    /**
     * Seals entries of this node, in order; an entry with no wire form is logged and left out.
     *
     * @throws IllegalArgumentException if an entry is not this node's to sign
     */
    public List<SealedEntry> seal(List<? extends Entry> entries) {
        return seal(entries, false);
    }

    /**
     * Seals entries written in another cluster, received over this node's L3 bridge: the seal is this
     * node's, vouching as the bridge; receivers accept it only for authors that are not members here.
     */
    public List<SealedEntry> sealBridged(List<? extends Entry> entries) {
        return seal(entries, true);
    }

    /**
     * Seals entries of this node already encoded ({@code encoded.get(i)} is {@link EntryCodec#encode}
     * of {@code entries.get(i)}), in order, as few trees as hold them: an anti-entropy answer that
     * measured its entries by their encodings does not encode them twice.
     *
     * @throws IllegalArgumentException if an entry is not this node's to sign, or the lists differ in length
     */
    public List<SealedEntry> sealEncoded(List<Entry> entries, List<byte[]> encoded) {
        if (entries.size() != encoded.size()) {
            throw new IllegalArgumentException(entries.size() + " entries to seal with " + encoded.size() + " encodings");
        }
        List<SealedEntry> out = new ArrayList<>(entries.size());
        for (int from = 0; from < entries.size(); from += MAX_BATCH) {
            int to = Math.min(entries.size(), from + MAX_BATCH);
            for (Entry e : entries.subList(from, to)) {
                if (!SealedEntry.requiredAuthor(e).equals(node)) {
                    throw new IllegalArgumentException("node " + node + " cannot seal " + e.kind().wireName() + " " + e.key() + " written by " + e.version().node());
                }
            }
            signTree(entries.subList(from, to), encoded.subList(from, to), out);
        }
        return out;
    }

    /**
     * Seals entries of this node together with leaves already encoded (stats sets: {@code
     * encoded.get(i)} is the leaf, {@code encodedEntries.get(i)} an entry of it, which names its
     * author), as few trees as hold them: one signature for a flush of both. An entry with no wire
     * form is logged and left out.
     *
     * @throws IllegalArgumentException if an entry is not this node's to sign, or the lists differ in length
     */
    public List<SealedEntry> seal(List<? extends Entry> entries, List<Entry> encodedEntries, List<byte[]> encoded) {
        if (encodedEntries.size() != encoded.size()) {
            throw new IllegalArgumentException(encodedEntries.size() + " entries to seal with " + encoded.size() + " encodings");
        }
        List<Entry> all = new ArrayList<>(entries.size() + encoded.size());
        List<byte[]> leaves = new ArrayList<>(entries.size() + encoded.size());
        for (Entry e : entries) {
            try {
                leaves.add(EntryCodec.encode(e));
                all.add(e);
            } catch (IllegalArgumentException ex) {
                LOG.warnf("%s %s of node %s cannot be replicated: %s", e.kind().wireName(), e.key(), e.node(), ex.getMessage());
            }
        }
        all.addAll(encodedEntries);
        leaves.addAll(encoded);
        return sealEncoded(all, leaves);
    }

    private List<SealedEntry> seal(List<? extends Entry> entries, boolean bridged) {
        List<SealedEntry> out = new ArrayList<>(entries.size());
        for (int from = 0; from < entries.size(); from += MAX_BATCH) {
            sealTree(entries.subList(from, Math.min(entries.size(), from + MAX_BATCH)), bridged, out);
        }
        return out;
    }

    private void sealTree(List<? extends Entry> batch, boolean bridged, List<SealedEntry> out) {
        List<Entry> kept = new ArrayList<>(batch.size());
        List<byte[]> encoded = new ArrayList<>(batch.size());
        for (Entry e : batch) {
            if (!bridged && !SealedEntry.requiredAuthor(e).equals(node)) {
                throw new IllegalArgumentException("node " + node + " cannot seal " + e.kind().wireName() + " " + e.key() + " written by " + e.version().node());
            }
            try {
                encoded.add(EntryCodec.encode(e));
                kept.add(e);
            } catch (IllegalArgumentException ex) {
                LOG.warnf("%s %s of node %s cannot be replicated: %s", e.kind().wireName(), e.key(), e.node(), ex.getMessage());
            }
        }
        if (kept.isEmpty()) {
            return;
        }
        signTree(kept, encoded, out);
    }

    private void signTree(List<? extends Entry> kept, List<byte[]> encoded, List<SealedEntry> out) {
        MessageDigest d = Merkle.sha256();
        byte[][] leaves = new byte[kept.size()][];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = Merkle.leaf(d, encoded.get(i));
        }
        byte[][][] levels = Merkle.levels(d, leaves);
        int height = levels.length - 1;
        byte[] signature = EcdsaP256.sign(key, Merkle.signedDigest(d, node, keyId, height, levels[height][0]));
        for (int i = 0; i < leaves.length; i++) {
            out.add(new SealedEntry(kept.get(i), encoded.get(i), new Seal(node, keyId, height, i, Merkle.path(levels, i), signature)));
        }
    }
}
