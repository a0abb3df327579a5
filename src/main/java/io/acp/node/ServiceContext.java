package io.acp.node;

import java.time.Duration;

/** What the manager hands a starting service. */
public interface ServiceContext {

    /** How long a collector's tick may run before its service counts as hung, unless the manager says otherwise. */
    Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(5);

    /** The id of this node. */
    String nodeId();

    /** Reports that the running service has failed; the manager stops and restarts it with backoff. */
    void failed(Throwable cause);

    /** The node's ticker, which the service's periodic work runs from. */
    default Timers timers() {
        return Timers.system();
    }

    /** A collector's tick still running after this has hung: its service is failed and restarted. */
    default Duration stallTimeout() {
        return DEFAULT_STALL_TIMEOUT;
    }
}
