package io.acp.security;

import java.security.cert.X509Certificate;

/**
 * Whether a certificate of the cluster CA has been revoked ({@code acp cluster revoke}). Every
 * place that accepts a peer's certificate asks it: the agent per connection, node-to-node links,
 * the join port, cluster sync and the bridge. Implementations answer from memory and are safe to
 * call from an event loop.
 */
public interface Revocations {

    /** Nothing is revoked: for tests and for tools that run without a cluster state. */
    Revocations NONE = cert -> false;

    boolean revoked(X509Certificate cert);
}
