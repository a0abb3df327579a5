package io.acp.agent;

import io.acp.security.NodeKeyManager;
import io.acp.security.PkiFiles;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.http.ClientAuth;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Vert.x TLS options from the node's PKI files: its own key and certificate (a {@link NodeKeyManager}
 * read on a worker beforehand, not Vert.x's PEM options, which re-encrypt the key into a PKCS12
 * store with PBKDF2 for every listener and client), trusting only the cluster CA.
 */
final class Tls {

    /** A client that has not finished its handshake by then is cut. */
    static final long HANDSHAKE_SECONDS = 10;
    private static final Set<String> ALLOWED = Set.of("TLSv1.3", "TLSv1.2");

    private Tls() {
    }

    /** Server side: client certificates required and verified against the cluster CA. */
    static NetServerOptions server(NodeKeyManager keys, PkiFiles files, List<String> protocols) {
        NetServerOptions o = new NetServerOptions()
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(keyCert(keys))
                .setTrustOptions(trust(files))
                .setTcpNoDelay(true)
                // The API's idle timeout starts once the handshake is done; this bounds the handshake.
                .setSslHandshakeTimeout(HANDSHAKE_SECONDS)
                .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
                .setEnabledSecureTransportProtocols(protocols(protocols));
        return o;
    }

    /** Client side, between nodes: presents this node's certificate, trusts only the cluster CA. */
    static NetClientOptions client(NodeKeyManager keys, PkiFiles files, List<String> protocols, int connectTimeoutMs) {
        NetClientOptions o = new NetClientOptions()
                .setSsl(true)
                .setKeyCertOptions(keyCert(keys))
                .setTrustOptions(trust(files))
                .setTcpNoDelay(true)
                .setConnectTimeout(connectTimeoutMs)
                .setEnabledSecureTransportProtocols(protocols(protocols));
        // The peer is named by node id in its certificate, checked after the handshake; its
        // address is whatever the CDB says, so host-name verification does not apply.
        o.setHostnameVerificationAlgorithm("");
        return o;
    }

    static Set<String> protocols(List<String> configured) {
        Set<String> out = new HashSet<>();
        for (String p : configured) {
            String v = p.strip();
            if (!ALLOWED.contains(v)) {
                throw new IllegalArgumentException("acp.agent.tls-protocols: '" + v + "' is not allowed; use TLSv1.3 and, if needed, TLSv1.2");
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("acp.agent.tls-protocols is empty; use TLSv1.3");
        }
        return out;
    }

    private static KeyCertOptions keyCert(NodeKeyManager keys) {
        return KeyCertOptions.wrap(keys);
    }

    private static PemTrustOptions trust(PkiFiles files) {
        return new PemTrustOptions().addCertPath(files.caCertificate().toString());
    }
}
