package io.acp.agent;

import io.acp.api.AgentPeer;
import io.acp.security.NodeCertificates;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * What an agent client's certificate (already verified against the cluster CA by TLS) says: the
 * name it certifies (its CN) and whether it is a node certificate. A node certificate is the one
 * that may serve as an agent: it names a node and carries the server-auth usage; an operator
 * certificate (for people) carries client-auth only. Only a node certificate may vouch for the caller of a routed request.
 */
final class AgentPeers {

    private AgentPeers() {
    }

    /** The peer of {@code socket}, or null if it showed no certificate. */
    static AgentPeer of(NetSocket socket) {
        X509Certificate leaf = ConnectedClient.certificateOf(socket);
        if (leaf == null) {
            return null;
        }
        return new AgentPeer(commonName(leaf), isNode(leaf));
    }

    /** A node certificate (names a node, has the server usage) that is not an operator's. */
    static boolean isNode(X509Certificate cert) {
        return NodeCertificates.servesAsNode(cert) && NodeCertificates.operatorName(cert) == null;
    }

    static String commonName(X509Certificate cert) {
        RDN[] cn = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (cn.length > 0) {
            return IETFUtils.valueToString(cn[0].getFirst().getValue());
        }
        return "serial-" + cert.getSerialNumber().toString(16);
    }
}
