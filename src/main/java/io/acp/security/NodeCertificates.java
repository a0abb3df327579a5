package io.acp.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** Reads the node identity out of a certificate issued by {@link CertificateAuthority}. */
public final class NodeCertificates {

    private static final int SAN_URI = 6;

    private NodeCertificates() {
    }

    /** The node id in the certificate's {@code urn:acp:node:<id>} SAN URI, or null if it has none. */
    public static String nodeId(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> name : names) {
                if (((Integer) name.get(0)) == SAN_URI && name.get(1) instanceof String uri && uri.startsWith(CertificateAuthority.NODE_URI_PREFIX)) {
                    return uri.substring(CertificateAuthority.NODE_URI_PREFIX.length());
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }
}
