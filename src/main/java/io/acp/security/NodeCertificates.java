package io.acp.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * Reads the identity out of a certificate issued by {@link CertificateAuthority}: the node it
 * names, or the operator and role, and whether it may serve as a node's agent.
 */
public final class NodeCertificates {

    private static final int SAN_URI = 6;
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private NodeCertificates() {
    }

    /** The node id in the certificate's {@code urn:acp:node:<id>} SAN URI, or null if it has none. */
    public static String nodeId(X509Certificate cert) {
        return sanUri(cert, CertificateAuthority.NODE_URI_PREFIX);
    }

    /** The operator name of an operator certificate ({@code urn:acp:operator:<name>}), or null. */
    public static String operatorName(X509Certificate cert) {
        return sanUri(cert, CertificateAuthority.OPERATOR_URI_PREFIX);
    }

    /** The role an operator certificate carries ({@code urn:acp:role:<role>}), or null. */
    public static String operatorRole(X509Certificate cert) {
        return sanUri(cert, CertificateAuthority.ROLE_URI_PREFIX);
    }

    /** A node certificate that may serve: it names a node and has the server usage. */
    public static boolean servesAsNode(X509Certificate cert) {
        try {
            List<String> usage = cert.getExtendedKeyUsage();
            return nodeId(cert) != null && usage != null && usage.contains(SERVER_AUTH);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** What the certificate is, for messages: "node n2", "operator alice (role admin)", or its subject. */
    public static String describe(X509Certificate cert) {
        String node = nodeId(cert);
        if (node != null) {
            return "node " + node;
        }
        String operator = operatorName(cert);
        if (operator != null) {
            return "operator " + operator + " (role " + operatorRole(cert) + ")";
        }
        return "'" + cert.getSubjectX500Principal().getName() + "'";
    }

    /**
     * Checks that a server's certificate is a node certificate able to serve and, when
     * {@code expectedNode} is not null, that it names that node. Call it after the handshake
     * (which checked the CA) and before anything secret is sent.
     *
     * @throws IllegalStateException naming what was presented and where
     */
    public static void requireNode(X509Certificate server, String expectedNode, String where) {
        if (!servesAsNode(server)) {
            throw new IllegalStateException("the server at " + where + " presented the certificate of " + describe(server)
                    + ", which is not a node certificate with the server usage; it is not an agent of the cluster, nothing was sent");
        }
        String node = nodeId(server);
        if (expectedNode != null && !expectedNode.equals(node)) {
            throw new IllegalStateException("the server at " + where + " presented the certificate of node " + node + ", not of node "
                    + expectedNode + "; nothing was sent");
        }
    }

    private static String sanUri(X509Certificate cert, String prefix) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> name : names) {
                if (((Integer) name.get(0)) == SAN_URI && name.get(1) instanceof String uri && uri.startsWith(prefix)) {
                    return uri.substring(prefix.length());
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }
}
