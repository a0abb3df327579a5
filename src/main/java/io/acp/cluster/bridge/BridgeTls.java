package io.acp.cluster.bridge;

import io.acp.security.NodeKeyManager;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.nio.file.Path;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The bridge's mutual TLS 1.3: this node's own key and certificate (its cluster PKI) as identity,
 * and only the remote cluster's CA as trust, so a bridge accepts exactly the nodes of that cluster.
 */
final class BridgeTls {

    static final String[] PROTOCOLS = {"TLSv1.3"};

    private BridgeTls() {
    }

    static SSLContext context(PkiFiles own, Path remoteCa, String node) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("remote-ca", Pem.readCertificate(remoteCa));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            // the key straight from PEM: a PKCS12 key entry costs a PBKDF2 round trip (NodeKeyManager says why)
            ctx.init(new KeyManager[] {NodeKeyManager.read(own)}, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("bridge of node " + node + " cannot use its certificate " + own.nodeCertificate() + ", key "
                    + own.nodeKey() + " or the remote CA " + remoteCa + ": " + e.getMessage(), e);
        }
    }
}
