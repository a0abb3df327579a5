package io.acp.metrics;

import java.util.Optional;

/**
 * Whether this node's copy of the cluster database is fit to answer from: the part of readiness
 * the cluster package knows. A node still catching up with its peers is alive but not ready.
 */
public interface SyncReadiness {

    /** Why the node is not ready yet (e.g. "syncing with b, c"), or empty when it is. */
    Optional<String> notReady();
}
