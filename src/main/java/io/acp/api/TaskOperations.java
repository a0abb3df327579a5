package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.Request;
import io.acp.task.Task;
import io.acp.task.TaskFilter;
import io.acp.task.TaskLog;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;

/**
 * Service {@code task}: the cluster's task and audit log as this node holds it (every node's tasks,
 * by sync). Reads only; tasks are written by the dispatcher ({@link TaskRecorder}), never by a caller.
 */
final class TaskOperations implements ServiceOperations {

    /** Tasks a listing answers when the caller names no limit. */
    static final int DEFAULT_LIMIT = 100;

    private final TaskLog log;
    private final Executor worker;

    TaskOperations(TaskLog log, Executor worker) {
        this.log = log;
        this.worker = worker;
    }

    @Override
    public String service() {
        return "task";
    }

    @Override
    public List<String> operations() {
        return List.of("list", "show");
    }

    @Override
    public Outcome call(Request request, Session session) {
        Args args = new Args(request.op(), request.args());
        switch (request.op()) {
            case "list": {
                TaskFilter filter = filter(args, log.now());
                return onWorker(() -> {
                    ArrayNode out = Json.MAPPER.createArrayNode();
                    log.list(filter).forEach(t -> out.add(t.toJson()));
                    return out;
                });
            }
            case "show": {
                String id = args.text("id");
                return onWorker(() -> log.find(id).map(Task::toJson)
                        .orElseThrow(() -> AcpException.notFound("task " + id + " on node " + log.localNode()
                                + " (finished tasks are kept for acp.api.tasks.max-age; a task routed elsewhere appears here once synced)")));
            }
            default:
                throw unknown(request);
        }
    }

    private Outcome onWorker(java.util.function.Supplier<JsonNode> read) {
        return new Outcome.Single(Uni.createFrom().item(read).runSubscriptionOn(worker));
    }

    /** node, user, since (an ISO-8601 instant, or a duration back from now: 90s, 15m, 2h, 7d), limit. */
    static TaskFilter filter(Args args, Instant now) {
        String since = args.optionalText("since");
        int limit = DEFAULT_LIMIT;
        if (args.has("limit")) {
            long l = args.positiveLong("limit");
            if (l > TaskFilter.MAX_LIMIT) {
                throw AcpException.badRequest("list: limit " + l + " is larger than " + TaskFilter.MAX_LIMIT);
            }
            limit = (int) l;
        }
        return new TaskFilter(args.optionalText("node"), args.optionalText("user"), since == null ? null : since(since, now), limit);
    }

    static Instant since(String text, Instant now) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.matches("\\d{1,9}[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration back = switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(back);
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw AcpException.badRequest("list: since '" + text + "' is neither an ISO-8601 instant (2026-12-01T10:00:00Z) nor a duration back"
                    + " from now (90s, 15m, 2h, 7d)");
        }
    }
}
