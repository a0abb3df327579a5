package io.acp.node;

import java.time.Instant;
import java.util.List;

/** Read-only view of the node's services, for the API and CLI. The ServiceManager implements it. */
public interface ServiceDirectory {

    /** Every configured service plus the framework itself, in start order. */
    List<ServiceStatus> statuses();

    /** When the node service started. */
    Instant startedAt();
}
