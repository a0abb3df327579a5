package io.acp.node;

import java.time.Instant;
import java.util.List;

/**
 * A managed service as the Framework sees it right now.
 *
 * @param since     when it entered its current state
 * @param restarts  restarts after failures since the node started
 * @param lastError the last failure's message, or null
 */
public record ServiceStatus(String name, ServiceState state, Health health, Instant since, int restarts, String lastError, List<String> dependencies) {
}
