package io.acp.security;

import java.security.cert.X509Certificate;

/**
 * Which certificates the cluster has revoked (a CA-signed revocation published with
 * {@code acp cluster revoke}). Consulted on every use of a peer's certificate, so an
 * implementation must answer from memory, quickly, from any thread.
 */
@FunctionalInterface
public interface Revocations {

    /** Nothing revoked: a cluster that has never revoked anything. */
    Revocations NONE = cert -> false;

    boolean revoked(X509Certificate certificate);
}
