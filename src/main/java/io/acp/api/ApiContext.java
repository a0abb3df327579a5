package io.acp.api;

import io.acp.console.ConsoleEndpoints;
import io.acp.task.TaskLog;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the API lends the {@link OperationSet}s when it builds their operations.
 *
 * @param localNode this node's id
 * @param vertx     the Vert.x the connections run on
 * @param worker    where operations run blocking work (never the connection's event loop)
 * @param router    the agent's way to other nodes, once the agent installed it (null before)
 * @param taskLog   this node's task records
 * @param recorder  records work the API did not start as tasks (scheduled backups)
 * @param consoles  takes the endpoints this node's system consoles are opened through
 */
public record ApiContext(String localNode, Vertx vertx, Executor worker, Supplier<RemoteRouter> router, TaskLog taskLog,
        TaskRecorder recorder, Consumer<ConsoleEndpoints> consoles) {
}
