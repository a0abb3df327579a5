package io.acp.cluster;

import java.util.Locale;

/**
 * Whether a node holds the cluster's state: {@link #SYNCING} from its start until it has pulled
 * the state of the peers it can reach (or a bounded time passed with none reachable), then
 * {@link #READY}. A readiness probe answers "ready" only for {@link #READY}; see
 * {@link ClusterService#readiness()}.
 */
public enum Readiness {
    SYNCING,
    READY;

    /** The form in node meta, {@code acp status} and the protocol. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
