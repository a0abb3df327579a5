package io.acp.cluster.sync.origin;

import io.acp.model.MetaEntry;

import io.acp.security.NodeCertificates;
import io.acp.security.Revocations;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * The node certificates this node has seen, by node and key id, each checked against the cluster
 * CA before it is kept: signed by the CA, naming the node in its {@code urn:acp:node:} SAN. They
 * reach a node in the CDB (each node's {@link CertificateMeta}), so a node learns the key of an
 * author it never heard directly, e.g. a dead one, from any relay. Revocation and expiry are
 * checked at each use, not only when learned. Thread-safe.
 */
public final class AuthorKeys {

    /** Why an author's key cannot be used. */
    public enum Problem { UNKNOWN, REVOKED, EXPIRED }

    /** A key, or why there is none. */
    public record Lookup(ECPublicKeyParameters key, X509Certificate certificate, Problem problem) {
    }

    /** {@code notAfterMillis} is read once: {@code getNotAfter} copies a Date, and this runs per received entry. */
    private record Known(X509Certificate certificate, ECPublicKeyParameters key, long notAfterMillis) {

        /** Not revoked and not expired at {@code nowMillis} (the expiry from this copy: getNotAfter() makes a Date per call). */
        boolean usableAt(long nowMillis, Revocations r) {
            return !r.revoked(certificate) && nowMillis <= notAfterMillis;
        }

        Known(X509Certificate certificate, ECPublicKeyParameters key) {
            this(certificate, key, certificate.getNotAfter().getTime());
        }
    }

    private final X509Certificate ca;
    private final Map<String, Map<Long, Known>> byNode = new ConcurrentHashMap<>();
    private final java.util.Set<String> bridges = ConcurrentHashMap.newKeySet();
    private volatile Revocations revocations = Revocations.NONE;
    private volatile Consumer<String> onNewKey = node -> { };

    public AuthorKeys(X509Certificate ca) {
        this.ca = ca;
    }

    /**
     * Called with the node whenever a key not known before is learned (after its certificate was
     * checked): a node that got a new key (a new disk, a renewal) may not know the others' keys
     * either, so the sync re-sends its own certificate to it.
     */
    public void onNewKey(Consumer<String> listener) {
        this.onNewKey = listener;
    }

    public void useRevocations(Revocations r) {
        this.revocations = r;
    }

    /**
     * Checks and keeps a certificate of {@code node}.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public void learn(String node, X509Certificate cert) {
        long keyId = NodeSigner.keyId(cert.getPublicKey());
        Map<Long, Known> keys = byNode.get(node);
        if (keys != null && keys.containsKey(keyId)) {
            return;
        }
        String named = NodeCertificates.nodeId(cert);
        if (!node.equals(named)) {
            throw new IllegalArgumentException("the certificate published by node " + node + " names node '" + named + "'");
        }
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the certificate of node " + node + " (serial " + cert.getSerialNumber().toString(16)
                    + ") is not signed by this cluster's CA");
        }
        ECPublicKeyParameters key = EcdsaP256.publicKey(cert.getPublicKey());
        if (byNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).putIfAbsent(keyId, new Known(cert, key)) == null) {
            onNewKey.accept(node);
        }
    }

    /**
     * Learns a certificate meta this node already holds: journaled after its seal was checked, so a
     * sync (re)started on a CDB that has it knows the author at once instead of refusing its entries
     * until the same meta arrives again, which it never does while versions are equal.
     *
     * @return whether the entry was a certificate meta
     * @throws IllegalArgumentException naming what is wrong with the certificate
     */
    public boolean learnStored(MetaEntry m) {
        Optional<X509Certificate> cert = CertificateMeta.of(m);
        if (cert.isEmpty()) {
            return false;
        }
        learn(m.node(), cert.get());
        if (CertificateMeta.bridge(m)) {
            markBridge(m.node());
        }
        return true;
    }

    /** The key of {@code node} with {@code keyId}, if known, valid now and not revoked. */
    public Lookup key(String node, long keyId, long nowMillis) {
        Map<Long, Known> keys = byNode.get(node);
        Known k = keys == null ? null : keys.get(keyId);
        if (k == null) {
            return new Lookup(null, null, Problem.UNKNOWN);
        }
        if (revocations.revoked(k.certificate())) {
            return new Lookup(null, k.certificate(), Problem.REVOKED);
        }
        if (nowMillis > k.notAfterMillis()) {
            return new Lookup(null, k.certificate(), Problem.EXPIRED);
        }
        return new Lookup(k.key(), k.certificate(), null);
    }

    /** Whether a certificate of {@code node} with {@code keyId} was learned (valid or not). */
    public boolean knows(String node, long keyId) {
        Map<Long, Known> keys = byNode.get(node);
        return keys != null && keys.containsKey(keyId);
    }

    /** Whether any certificate of {@code node} from this cluster's CA is known: it is a member here. */
    public boolean member(String node) {
        Map<Long, Known> keys = byNode.get(node);
        return keys != null && !keys.isEmpty();
    }

    /** Records that a member published itself as an L3 bridge (it may seal entries of non-members). */
    void markBridge(String node) {
        bridges.add(node);
    }

    public boolean bridge(String node) {
        return bridges.contains(node);
    }

    /** True when every certificate known for {@code node} is revoked (and there is at least one). */
    public boolean revoked(String node) {
        Map<Long, Known> keys = byNode.get(node);
        if (keys == null || keys.isEmpty()) {
            return false;
        }
        Revocations r = revocations;
        for (Known k : keys.values()) { // asked for every received message: no stream
            if (!r.revoked(k.certificate())) {
                return false;
            }
        }
        return true;
    }

    /** A member's key that is valid now: what a tagged delta is authenticated to. */
    public record MemberKey(String node, long keyId, ECPublicKeyParameters key) {
    }

    /**
     * The valid, unrevoked keys of members other than {@code self}, or null as soon as there are more
     * than {@code atMost} (the caller then seals instead of tagging, so a large cluster costs no list).
     */
    public java.util.List<MemberKey> validKeysOfOthers(String self, long nowMillis, int atMost) {
        java.util.List<MemberKey> out = new java.util.ArrayList<>();
        Revocations r = revocations;
        for (Map.Entry<String, Map<Long, Known>> n : byNode.entrySet()) {
            if (n.getKey().equals(self)) {
                continue;
            }
            for (Map.Entry<Long, Known> k : n.getValue().entrySet()) {
                if (!k.getValue().usableAt(nowMillis, r)) {
                    continue;
                }
                if (out.size() == atMost) {
                    return null;
                }
                out.add(new MemberKey(n.getKey(), k.getKey(), k.getValue().key()));
            }
        }
        return out;
    }

    /** The valid, unrevoked keys of {@code node} known here (several while a renewed or re-issued certificate overlaps the old one). */
    public java.util.List<MemberKey> validKeysOf(String node, long nowMillis) {
        java.util.List<MemberKey> out = new java.util.ArrayList<>(1);
        Map<Long, Known> keys = byNode.get(node);
        if (keys == null) {
            return out;
        }
        Revocations r = revocations;
        for (Map.Entry<Long, Known> k : keys.entrySet()) {
            if (k.getValue().usableAt(nowMillis, r)) {
                out.add(new MemberKey(node, k.getKey(), k.getValue().key()));
            }
        }
        return out;
    }

    /** Whether any member published itself as an L3 bridge. */
    public boolean anyBridge() {
        return !bridges.isEmpty();
    }

    public Optional<X509Certificate> certificate(String node, long keyId) {
        Map<Long, Known> keys = byNode.get(node);
        return Optional.ofNullable(keys == null ? null : keys.get(keyId)).map(Known::certificate);
    }
}
