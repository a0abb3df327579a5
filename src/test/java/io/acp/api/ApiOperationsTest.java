package io.acp.api;

import static io.acp.api.ApiBadInputTest.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.model.MetaEntry;
import io.acp.model.StatsEntry;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The operations of docs/protocol.md over real sockets, against an in-memory CDB. */
class ApiOperationsTest extends WithNode {

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void putGetListDeleteRoundTrip(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            ObjectNode put = args("type", "network", "id", "v100", "subtype", "vlan");
            put.set("spec", Json.object().put("uplink", "eth0").put("vlan", 100));
            JsonNode stored = c.result("cluster", "put", put);
            assertThat(stored.path("kind").asText()).isEqualTo("object");
            assertThat(stored.path("spec").path("vlan").asInt()).isEqualTo(100);
            assertThat(stored.path("deleted").asBoolean()).isFalse();
            assertThat(stored.path("version").asText()).endsWith("@n1");

            assertThat(c.result("cluster", "get", args("type", "network", "id", "v100"))).isEqualTo(stored);
            assertThat(c.result("cluster", "list", args("type", "network"))).containsExactly(stored);
            assertThat(c.result("cluster", "list", args("type", "network", "subtype", "trunk"))).isEmpty();
            assertThat(c.result("cluster", "list", args("type", "node"))).isEmpty();

            Response forced = c.call("cluster", "delete", args("type", "network", "id", "v100").put("force", true));
            assertThat(((Response.Failure) forced).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((Response.Failure) forced).message())
                    .isEqualTo("delete network/v100: 'force' is for systems only (rule running-delete); nothing else is refused for running");
            assertThat(c.result("cluster", "get", args("type", "network", "id", "v100"))).as("and nothing changed").isEqualTo(stored);

            JsonNode tombstone = c.result("cluster", "delete", args("type", "network", "id", "v100"));
            assertThat(tombstone.path("deleted").asBoolean()).isTrue();
            Response gone = c.call("cluster", "get", args("type", "network", "id", "v100"));
            assertThat(((Response.Failure) gone).code()).isEqualTo(ErrorCode.NOT_FOUND);
            // what is left besides the task log of the put, the refused delete and the delete (service task)
            assertThat(c.result("cluster", "list", null)).allSatisfy(e -> assertThat(e.path("type").asText()).isEqualTo("task")).hasSize(3);
            assertThat(c.result("cluster", "list", Json.object().put("deleted", true)))
                    .filteredOn(e -> !e.path("type").asText().equals("task")).containsExactly(tombstone);
        }
    }

    @Test
    void metaAndStats() throws IOException {
        Cdb cdb = node.cdb.get();
        ObjectKey n1 = ObjectKey.of(ObjectType.NODE, "n1");
        cdb.putMeta(n1, Json.object().put("state", "running"));
        cdb.putStats(n1, Map.of("cpu", 0.25));
        cdb.putStats(n1, Map.of("cpu", 0.5));
        try (TestClient c = node.client(true, TestNode.READER_KEY)) {
            JsonNode meta = c.result("cluster", "meta", args("type", "node", "id", "n1"));
            assertThat(meta).hasSize(1);
            assertThat(meta.get(0).path("values").path("state").asText()).isEqualTo("running");
            JsonNode latest = c.result("cluster", "stats", args("type", "node", "id", "n1"));
            assertThat(latest).hasSize(1);
            assertThat(latest.get(0).path("values").path("cpu").asDouble()).isEqualTo(0.5);
            JsonNode history = c.result("cluster", "stats", args("type", "node", "id", "n1", "node", "n1").put("history", true));
            assertThat(history).hasSize(2);
            assertThat(history.get(0).path("values").path("cpu").asDouble()).isEqualTo(0.25);
            Response noNode = c.call("cluster", "stats", args("type", "node", "id", "n1").put("history", true));
            assertThat(((Response.Failure) noNode).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void reportsOfANodeThisNodeSeesDeadAreMarkedStaleAndKept() throws IOException {
        Cdb cdb = node.cdb.get();
        ObjectKey vm = ObjectKey.of(ObjectType.SYSTEM, "vm1");
        ObjectKey n2 = ObjectKey.of(ObjectType.NODE, "n2");
        cdb.putStats(vm, Map.of("cpu", 0.1));
        cdb.merge(new StatsEntry(vm, "n2", Map.of("cpu", 0.9), new Version(cdb.clock().now(), "n2")));
        cdb.merge(new MetaEntry(vm, "n2", Json.object().put("state", "running"), new Version(cdb.clock().now(), "n2")));
        try (TestClient c = node.client(true, TestNode.READER_KEY)) {
            cdb.putMeta(n2, Json.object().put("membership", "alive")); // n1's view of n2
            assertThat(c.result("cluster", "stats", args("type", "system", "id", "vm1")))
                    .allSatisfy(e -> assertThat(e.has("stale")).as("stale flag on %s", e).isFalse());

            cdb.putMeta(n2, Json.object().put("membership", "dead"));
            JsonNode stats = c.result("cluster", "stats", args("type", "system", "id", "vm1"));
            assertThat(stats).hasSize(2);
            assertThat(stats.get(0).path("node").asText()).isEqualTo("n1");
            assertThat(stats.get(0).has("stale")).isFalse();
            assertThat(stats.get(1).path("node").asText()).isEqualTo("n2");
            assertThat(stats.get(1).path("stale").asBoolean()).isTrue();
            assertThat(stats.get(1).path("values").path("cpu").asDouble()).isEqualTo(0.9);
            JsonNode meta = c.result("cluster", "meta", args("type", "system", "id", "vm1", "node", "n2"));
            assertThat(meta.get(0).path("stale").asBoolean()).isTrue();
        }
    }

    @Test
    void frameworkStatusAndServices() throws IOException {
        node.cdb.get().putObject(ObjectKey.of(ObjectType.NODE, "n1"), null, Json.object(), null).await().indefinitely();
        try (TestClient c = node.client(false, TestNode.READER_KEY)) {
            JsonNode status = c.result("framework", "status", null);
            assertThat(status.path("node").asText()).isEqualTo("n1");
            assertThat(status.path("version").asText()).isEqualTo("0.1.0-test");
            assertThat(status.path("startedAt").asText()).isEqualTo("2026-11-24T10:00:00Z");
            assertThat(status.path("uptimeMs").asLong()).isPositive();
            assertThat(status.path("objects").asInt()).isEqualTo(1);
            assertThat(status.path("services")).hasSize(2);
            JsonNode services = c.result("framework", "services", null);
            assertThat(services.get(1).path("name").asText()).isEqualTo("api");
            assertThat(services.get(1).path("state").asText()).isEqualTo("running");
            assertThat(services.get(1).path("healthy").asBoolean()).isTrue();
            assertThat(services.get(1).path("restarts").asInt()).isEqualTo(1);
            assertThat(services.get(1).path("lastError").asText()).isEqualTo("port in use");
            assertThat(services.get(1).path("dependencies").get(0).asText()).isEqualTo("cluster");
        }
    }

    @Test
    void clusterOperationsAreUnavailableWhileTheClusterServiceIsNot() throws IOException {
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            node.cdb.set(null);
            Response r = c.call("cluster", "list", null);
            assertThat(((Response.Failure) r).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(((Response.Failure) r).message()).contains("n1");
            assertThat(c.result("framework", "status", null).path("objects").isNull()).isTrue();
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void watchSeesAPutMadeOnAnotherConnectionAndCancelEndsIt(boolean unix) throws Exception {
        try (TestClient watcher = node.client(unix, TestNode.READER_KEY);
                TestClient writer = node.client(!unix, TestNode.ADMIN_KEY)) {
            long stream = watcher.send("cluster", "watch", args("type", "network"));
            Response opened = watcher.next();
            assertThat(opened.id()).isEqualTo(stream);
            assertThat(((Response.Result) opened).result().toString()).isEqualTo("{\"stream\":" + stream + "}");

            writer.result("cluster", "put", args("type", "node", "id", "n2").set("spec", Json.object()));
            JsonNode put = writer.result("cluster", "put", args("type", "network", "id", "v7", "subtype", "vlan").set("spec", Json.object().put("uplink", "eth0").put("vlan", 7)));

            Response event = watcher.next();
            assertThat(event).isEqualTo(new Response.Event(stream, put)); // node/n2 was filtered out

            long cancel = watcher.send("api", "cancel", Json.object().put("stream", stream));
            assertThat(watcher.next()).isEqualTo(new Response.Result(cancel, Json.object().put("cancelled", true)));
            assertThat(watcher.next()).isEqualTo(new Response.End(stream));
            writer.result("cluster", "put", args("type", "network", "id", "v8", "subtype", "vlan").set("spec", Json.object().put("uplink", "eth0").put("vlan", 8)));
            assertThat(watcher.poll(200)).as("no events after end").isNull();
            assertThat(node.cdb.get().subscriberCount()).isZero();
            assertThat(watcher.pingAnswers()).isTrue();
        }
    }

    @Test
    void aSlowReaderGetsTheLatestEntryPerKeyNotEveryChange() throws Exception {
        Cdb cdb = node.cdb.get();
        ObjectKey key = ObjectKey.of(ObjectType.NETWORK, "v1");
        ObjectNode spec = Json.object().put("padding", "x".repeat(8 * 1024));
        int writes = 5000;
        try (TestClient slow = TestClient.unixNotReading(node.config.socket())) {
            slow.withKey(TestNode.READER_KEY);
            long stream = slow.send("cluster", "watch", null);
            waitFor(() -> cdb.subscriberCount() == 1);
            String last = null;
            for (int i = 0; i < writes; i++) {
                last = cdb.putObject(key, "vlan", spec.deepCopy().put("n", i), null).await().indefinitely().version().toString();
            }
            slow.startReading();
            assertThat(slow.next()).isInstanceOf(Response.Result.class);
            int events = 0;
            JsonNode latest = null;
            while (latest == null || !latest.path("version").asText().equals(last)) {
                Response r = slow.next();
                assertThat(r).isInstanceOf(Response.Event.class);
                assertThat(r.id()).isEqualTo(stream);
                latest = ((Response.Event) r).event();
                events++;
            }
            assertThat(latest.path("spec").path("n").asInt()).isEqualTo(writes - 1);
            assertThat(events).as("events delivered for %d writes of one key", writes).isLessThan(writes);
        }
    }

    @Test
    void stopEndsStreamsClosesConnectionsAndRemovesTheSocket() throws Exception {
        TestClient watcher = node.client(true, TestNode.READER_KEY);
        long stream = watcher.send("cluster", "watch", null);
        assertThat(watcher.next()).isInstanceOf(Response.Result.class);
        node.api.stop().await().atMost(Duration.ofSeconds(10));
        assertThat(watcher.next()).isEqualTo(new Response.End(stream));
        assertThat(watcher.next()).isSameAs(TestClient.CLOSED);
        assertThat(Files.exists(node.config.socket())).isFalse();
        assertThat(node.api.tcpPort()).isEqualTo(-1);
        watcher.close();
        node = TestNode.start(vertx, dir); // the socket path and keys are reusable by a restart
        try (TestClient again = node.client(true, TestNode.ADMIN_KEY)) {
            assertThat(again.pingAnswers()).isTrue();
        }
    }

    @Test
    void closingAConnectionCancelsItsStreams() throws Exception {
        try (TestClient watcher = node.client(false, TestNode.READER_KEY)) {
            watcher.send("cluster", "watch", null);
            assertThat(watcher.next()).isInstanceOf(Response.Result.class);
            assertThat(node.cdb.get().subscriberCount()).isEqualTo(1);
        }
        waitFor(() -> node.cdb.get().subscriberCount() == 0 && node.api.connectionCount() == 0);
    }

    @Test
    void aWatchReusingTheIdOfAnOpenStreamIsRefused() throws IOException {
        try (TestClient c = node.client(true, TestNode.READER_KEY)) {
            byte[] watch = "{\"id\": 500, \"service\": \"cluster\", \"op\": \"watch\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            c.sendPayload(watch);
            assertThat(c.next()).isInstanceOf(Response.Result.class);
            c.sendPayload(watch);
            Response again = c.next();
            assertThat(again.id()).isEqualTo(500);
            assertThat(((Response.Failure) again).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(node.cdb.get().subscriberCount()).isEqualTo(1);
        }
    }

    @Test
    void aKeyOnALaterRequestReplacesTheConnectionsIdentity() throws IOException {
        ObjectNode put = args("type", "node", "id", "n5").set("spec", Json.object());
        try (TestClient c = node.client(false, TestNode.READER_KEY)) {
            assertThat(((Response.Failure) c.call("cluster", "put", put)).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(c.withKey(TestNode.ADMIN_KEY).call("cluster", "put", put)).isInstanceOf(Response.Result.class);
            assertThat(c.call("cluster", "delete", args("type", "node", "id", "n5"))).as("still the admin").isInstanceOf(Response.Result.class);
            assertThat(((Response.Failure) c.withKey("acp_wrong").call("api", "ping", null)).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(((Response.Failure) c.call("api", "ping", null)).code()).as("a wrong key drops the identity").isEqualTo(ErrorCode.UNAUTHORIZED);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
