package io.acp.agent;

import io.acp.api.AgentPeer;
import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What an agent client's certificate (already verified against the cluster CA by TLS) says: the
 * name it certifies (its CN) and whether it is a node certificate. A node certificate is the one
 * that may serve as an agent: it carries the server-auth usage; a certificate for people carries
 * client-auth only. Only a node certificate may vouch for the caller of a routed request.
 */
final class AgentPeers {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private AgentPeers() {
    }

    /** The peer of {@code socket}, or null if it showed no certificate. */
    static AgentPeer of(NetSocket socket) {
        List<Certificate> chain;
        try {
            chain = socket.peerCertificates();
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            return null;
        }
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
            return null;
        }
        return new AgentPeer(commonName(leaf), isNode(leaf));
    }

    static boolean isNode(X509Certificate cert) {
        try {
            List<String> usages = cert.getExtendedKeyUsage();
            return usages != null && usages.contains(SERVER_AUTH);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    static String commonName(X509Certificate cert) {
        RDN[] cn = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (cn.length > 0) {
            return IETFUtils.valueToString(cn[0].getFirst().getValue());
        }
        return "serial-" + cert.getSerialNumber().toString(16);
    }
}
