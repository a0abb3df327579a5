package io.acp.cluster.sync.origin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Optional;

/**
 * How a node's certificate reaches the others: as that node's meta of
 * {@code service/<node>:sync-identity-<key id>} ({@code {"certificate": base64 DER}}), replicated like
 * any meta. It needs no trust in whoever relays it: a receiver checks the certificate against the
 * cluster CA, then the entry's seal against the certificate. One key per certificate, which no
 * other writer of node meta replaces: a node that got a new key (new disk, renewal) keeps its older
 * certificates published, so its entries sealed under them still verify anywhere.
 */
public final class CertificateMeta {

    static final String SUFFIX = ":sync-identity";
    static final String FIELD = "certificate";
    static final String BRIDGE = "bridge";

    private CertificateMeta() {
    }

    public static ObjectKey key(String node, long keyId) {
        return ObjectKey.of(ObjectType.SERVICE, node + SUFFIX + "-" + String.format("%016x", keyId));
    }

    public static ObjectNode values(X509Certificate cert) {
        return values(cert, false);
    }

    /** @param bridge whether this node relays another cluster's entries (its L3 bridge is on) */
    public static ObjectNode values(X509Certificate cert, boolean bridge) {
        ObjectNode v = Json.object();
        if (bridge) {
            v.put(BRIDGE, true);
        }
        try {
            v.put(FIELD, Base64.getEncoder().encodeToString(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the node certificate cannot be encoded", e);
        }
        return v;
    }

    /** Whether the entry is a node's certificate meta (checked first in a message: the rest may need it). */
    public static boolean isCertificateMeta(Entry e) {
        return e instanceof MetaEntry m && m.key().type() == ObjectType.SERVICE && m.key().id().startsWith(m.node() + SUFFIX + "-");
    }

    static boolean bridge(Entry e) {
        return isCertificateMeta(e) && ((MetaEntry) e).values().path(BRIDGE).asBoolean(false);
    }

    /**
     * The certificate an entry publishes, if it is a certificate meta of its own reporter.
     *
     * @throws IllegalArgumentException if it claims to be one but holds no readable certificate
     */
    static Optional<X509Certificate> of(Entry e) {
        if (!isCertificateMeta(e)) {
            return Optional.empty();
        }
        MetaEntry m = (MetaEntry) e;
        String b64 = m.values().path(FIELD).asText("");
        try {
            byte[] der = Base64.getDecoder().decode(b64);
            return Optional.of((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)));
        } catch (IllegalArgumentException | CertificateException | ClassCastException ex) {
            throw new IllegalArgumentException("the certificate meta of node " + m.node() + " holds no readable certificate");
        }
    }
}
