package io.acp.agent;

import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** A client the agent serves: its address and the certificate it proved itself with. */
record ConnectedClient(String address, X509Certificate certificate, NetSocket socket) {

    /** The certificate a TLS peer presented, or null if it presented none. */
    static X509Certificate certificateOf(NetSocket socket) {
        try {
            List<Certificate> chain = socket.peerCertificates();
            return chain == null || chain.isEmpty() ? null : (X509Certificate) chain.get(0);
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
