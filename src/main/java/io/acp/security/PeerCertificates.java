package io.acp.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The certificate a TLS peer proved itself with, as every listener of the node reads it (the agent,
 * the HTTPS listener, REST behind it): the leaf of the chain the handshake verified.
 */
public final class PeerCertificates {

    private PeerCertificates() {
    }

    /** The peer's verified leaf certificate, or null: no TLS session (plain HTTP), or the peer presented none. */
    public static X509Certificate leaf(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }
}
