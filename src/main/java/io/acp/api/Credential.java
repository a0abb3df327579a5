package io.acp.api;

import io.acp.protocol.Request;
import java.security.cert.X509Certificate;

/**
 * Who a request says it is, as its transport learnt it: the identity source a transport hands to
 * the {@link RequestPipeline}. The transport keeps only the framing (where the key or token sits
 * in its messages); the checks are the pipeline's.
 */
public sealed interface Credential {

    /**
     * An API key (null: none was sent). Failed checks count against {@code peer}: {@code uid:N} on the
     * Unix socket, {@code addr:IP} on the TCP port, the WebSocket and REST, {@code cert:NAME} on the agent.
     */
    record Key(String key, String peer) implements Credential {
        @Override
        public String toString() {
            return "Key[peer=" + peer + "]"; // never the key
        }
    }

    /**
     * The caller another node vouched for ({@code "as"} on a request it routed here), on a connection
     * whose client certificate is {@code peer} (null: none, as on the local listeners).
     */
    record Vouched(Request.Caller caller, AgentPeer peer) implements Credential {
    }

    /**
     * An operator certificate ({@code acp cluster add-operator}) whose chain a TLS handshake verified
     * against the cluster CA, and which was checked against the revocations before the request was read.
     */
    record OperatorCertificate(X509Certificate certificate) implements Credential {
    }

    /** The identity a connection authenticated as earlier: a request that sends no key on it. */
    record Established(ApiIdentity identity) implements Credential {
    }
}
