package io.acp.agent;

import io.acp.security.PeerCertificates;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;

/** A client the agent serves: its address and the certificate it proved itself with. */
record ConnectedClient(String address, X509Certificate certificate, NetSocket socket) {

    /** The certificate a TLS peer presented, or null if it presented none. */
    static X509Certificate certificateOf(NetSocket socket) {
        return PeerCertificates.leaf(socket.isSsl() ? socket.sslSession() : null);
    }
}
