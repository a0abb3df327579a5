package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.ObjectType;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.testing.Eventually;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The task and audit log through the real Unix socket: every mutating request is recorded with its
 * caller, outcome and spec difference; every role reads it; nobody writes it.
 */
class TaskApiTest extends WithNode {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ObjectNode putSystem(String id, ObjectNode spec) {
        ObjectNode put = Json.object().put("type", "system").put("id", id);
        put.set("spec", spec);
        return put;
    }

    private JsonNode onlyTask(TestClient c, String op) {
        JsonNode list = c.result("task", "list", null);
        JsonNode found = null;
        for (JsonNode t : list) {
            if (t.path("op").asText().equals(op)) {
                assertThat(found).as("one task of " + op).isNull();
                found = t;
            }
        }
        assertThat(found).as("a task of " + op + " in " + list).isNotNull();
        return found;
    }

    @Test
    void aChangeIsRecordedWithWhoWhereHowLongAndWhatChanged() throws IOException {
        try (TestClient ops = node.client(true, TestNode.OPERATOR_KEY); TestClient viewer = node.client(false, TestNode.READER_KEY)) {
            ops.result("cluster", "put", putSystem("web1", Json.object().put("vcpus", 1).put("memory", 64)));
            ops.result("cluster", "put", putSystem("web1", Json.object().put("vcpus", 2).put("memory", 64)));

            JsonNode tasks = viewer.result("task", "list", null);
            assertThat(tasks).hasSize(2);
            JsonNode change = tasks.get(0); // newest first
            assertThat(change.path("op").asText()).isEqualTo("cluster.put");
            assertThat(change.path("object").asText()).isEqualTo("system/web1");
            assertThat(change.path("user").asText()).isEqualTo("ops");
            assertThat(change.path("role").asText()).isEqualTo("operator");
            assertThat(change.path("node").asText()).isEqualTo(TestNode.NODE);
            assertThat(change.path("origin").asText()).isEqualTo(TestNode.NODE);
            assertThat(change.path("state").asText()).isEqualTo("ok");
            assertThat(change.path("durationMs").asLong()).isNotNegative();
            assertThat(change.path("changes").toString()).isEqualTo("[{\"path\":\"/vcpus\",\"before\":1,\"after\":2}]");
            assertThat(tasks.get(1).path("changes").get(0).path("after").path("vcpus").asInt()).isEqualTo(1);

            JsonNode shown = viewer.result("task", "show", Json.object().put("id", change.path("id").asText()));
            assertThat(shown).isEqualTo(change);
        }
        Eventually.await(WAIT, () -> node.cdb.get().objects(ObjectQuery.ofType(ObjectType.TASK)).stream()
                .allMatch(e -> e.spec().path("state").asText().equals("ok")) && node.cdb.get().objects(ObjectQuery.ofType(ObjectType.TASK)).size() == 2,
                "both tasks are stored in the cluster state, finished");
    }

    @Test
    void aFailedOperationIsATaskWithItsErrorCodeAndAReadIsNone() throws IOException {
        try (TestClient root = node.client(true, TestNode.ADMIN_KEY)) {
            Response r = root.call("cluster", "delete", Json.object().put("type", "network").put("id", "absent"));
            assertThat(((Response.Failure) r).code()).isEqualTo(ErrorCode.NOT_FOUND);
            root.result("cluster", "list", null);
            root.result("api", "ping", null);

            JsonNode failed = onlyTask(root, "cluster.delete");
            assertThat(failed.path("state").asText()).isEqualTo("failed");
            assertThat(failed.path("error").path("code").asText()).isEqualTo("not_found");
            assertThat(failed.path("error").path("message").asText()).contains("network/absent");
            assertThat(failed.path("user").asText()).isEqualTo("root");
            assertThat(root.result("task", "list", null)).hasSize(1);
        }
    }

    @Test
    void listingsFilterByUserNodeAndTimeAndAnUnknownTaskIsNotFound() throws IOException {
        try (TestClient ops = node.client(true, TestNode.OPERATOR_KEY); TestClient root = node.client(true, TestNode.ADMIN_KEY)) {
            ops.result("cluster", "put", putSystem("a", Json.object().put("vcpus", 1).put("memory", 64)));
            root.result("cluster", "put", putSystem("b", Json.object().put("vcpus", 1).put("memory", 64)));
            assertThat(root.result("task", "list", Json.object().put("user", "ops"))).hasSize(1);
            assertThat(root.result("task", "list", Json.object().put("node", "n9"))).isEmpty();
            assertThat(root.result("task", "list", Json.object().put("since", "1h"))).hasSize(2);
            assertThat(root.result("task", "list", Json.object().put("since", "2099-01-01T00:00:00Z"))).isEmpty();
            assertThat(root.result("task", "list", Json.object().put("limit", 1))).hasSize(1);
            Response bad = root.call("task", "list", Json.object().put("since", "yesterday"));
            assertThat(((Response.Failure) bad).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            Response missing = root.call("task", "show", Json.object().put("id", "n1:1:1"));
            assertThat(((Response.Failure) missing).code()).isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void nobodyWritesOrDeletesATaskAndTheLogIsUnchangedAfterTheAttempt() throws IOException {
        try (TestClient root = node.client(true, TestNode.ADMIN_KEY)) {
            root.result("cluster", "put", putSystem("web1", Json.object().put("vcpus", 1).put("memory", 64)));
            JsonNode real = onlyTask(root, "cluster.put");
            String id = real.path("id").asText();
            Eventually.await(WAIT, () -> node.cdb.get().object(io.acp.model.ObjectKey.of(ObjectType.TASK, id))
                    .map(e -> e.spec().path("state").asText().equals("ok")).orElse(false), "the task is stored");
            var before = node.cdb.get().objects(new ObjectQuery(ObjectType.TASK, null, null, null, true));

            ObjectNode forged = Json.object().put("type", "task").put("id", id);
            forged.set("spec", Json.object().put("op", "cluster.put").put("user", "someone-else").put("state", "ok"));
            Response put = root.call("cluster", "put", forged);
            assertThat(((Response.Failure) put).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(((Response.Failure) put).message()).contains("rule task-log");
            Response delete = root.call("cluster", "delete", Json.object().put("type", "task").put("id", id));
            assertThat(((Response.Failure) delete).code()).isEqualTo(ErrorCode.FORBIDDEN);

            assertThat(node.cdb.get().objects(new ObjectQuery(ObjectType.TASK, null, null, null, true))).isEqualTo(before);
            assertThat(root.result("task", "show", Json.object().put("id", id))).isEqualTo(real);
        }
    }

    @Test
    void aClientCannotChooseATaskIdToOverwriteAnotherTask() throws IOException {
        try (TestClient ops = node.client(true, TestNode.OPERATOR_KEY); TestClient root = node.client(true, TestNode.ADMIN_KEY)) {
            root.result("cluster", "put", putSystem("web1", Json.object().put("vcpus", 1).put("memory", 64)));
            String theirs = onlyTask(root, "cluster.put").path("id").asText();
            JsonNode before = root.result("task", "show", Json.object().put("id", theirs));

            // the operator's own change, framed by hand with the admin's task id in the envelope
            ops.sendPayload(("{\"id\":99,\"service\":\"cluster\",\"op\":\"put\",\"task\":\"" + theirs
                    + "\",\"args\":{\"type\":\"system\",\"id\":\"web2\",\"spec\":{\"vcpus\":1,\"memory\":64}}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(ops.next()).isInstanceOf(Response.Result.class);

            assertThat(root.result("task", "show", Json.object().put("id", theirs))).isEqualTo(before);
            JsonNode mine = root.result("task", "list", Json.object().put("user", "ops"));
            assertThat(mine).hasSize(1);
            assertThat(mine.get(0).path("id").asText()).isNotEqualTo(theirs);
            assertThat(mine.get(0).path("object").asText()).isEqualTo("system/web2");
        }
    }
}
