package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of bad input gets its documented error code over the real Unix socket and the real
 * TCP port, and afterwards the same connection still answers a ping.
 */
class ApiBadInputTest extends WithNode {

    private static void assertFailure(Response r, long id, ErrorCode code) {
        assertThat(r).isInstanceOf(Response.Failure.class);
        Response.Failure f = (Response.Failure) r;
        assertThat(f.code()).as(f.message()).isEqualTo(code);
        assertThat(f.id()).isEqualTo(id);
    }

    private static void assertStillServes(TestClient c) {
        assertThat(c.pingAnswers()).isTrue();
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void malformedJsonIsBadFrame(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            c.sendPayload("{\"id\": 3, \"service\": ".getBytes(StandardCharsets.UTF_8));
            assertFailure(c.next(), 0, ErrorCode.BAD_FRAME);
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void invalidUtf8IsBadFrame(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            c.sendPayload(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            Response r = c.next();
            assertFailure(r, 0, ErrorCode.BAD_FRAME);
            assertThat(((Response.Failure) r).message()).contains("UTF-8");
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void emptyFrameAndNonObjectAreBadFrames(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            c.sendRaw(new byte[] {0, 0, 0, 0});
            assertFailure(c.next(), 0, ErrorCode.BAD_FRAME);
            c.sendPayload("[1, 2]".getBytes(StandardCharsets.UTF_8));
            assertFailure(c.next(), 0, ErrorCode.BAD_FRAME);
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void oversizedFrameIsSkippedAndTheNextFrameIsRead(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            byte[] big = new byte[node.config.maxFrameBytes() + 1];
            java.util.Arrays.fill(big, (byte) '{'); // not JSON either: must never be parsed
            c.sendPayload(big);
            Response r = c.next();
            assertFailure(r, 0, ErrorCode.FRAME_TOO_LARGE);
            assertThat(((Response.Failure) r).message()).contains(String.valueOf(big.length));
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void deeplyNestedJsonIsBadFrame(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            String nested = "[".repeat(1000) + "]".repeat(1000);
            c.sendPayload(("{\"id\":4,\"service\":\"api\",\"op\":\"ping\",\"args\":{\"x\":" + nested + "}}").getBytes(StandardCharsets.UTF_8));
            Response r = c.next();
            assertFailure(r, 0, ErrorCode.BAD_FRAME);
            assertThat(((Response.Failure) r).message()).containsIgnoringCase("nesting");
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void badEnvelopeIsBadRequestWithTheIdEchoed(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            c.sendPayload("{\"id\": 12, \"op\": \"ping\"}".getBytes(StandardCharsets.UTF_8));
            assertFailure(c.next(), 12, ErrorCode.BAD_REQUEST);
            c.sendPayload("{\"id\": \"twelve\", \"service\": \"api\", \"op\": \"ping\"}".getBytes(StandardCharsets.UTF_8));
            assertFailure(c.next(), 0, ErrorCode.BAD_REQUEST);
            c.sendPayload("{\"id\": 13, \"service\": \"api\", \"op\": \"ping\", \"args\": [1]}".getBytes(StandardCharsets.UTF_8));
            assertFailure(c.next(), 13, ErrorCode.BAD_REQUEST);
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void missingAndWrongKeyGetTheSameAnswer(boolean unix) throws IOException {
        try (TestClient c = node.client(unix)) {
            Response missing = c.call("api", "ping", null);
            Response wrong = c.withKey("acp_not-a-key").call("api", "ping", null);
            assertFailure(missing, missing.id(), ErrorCode.UNAUTHORIZED);
            assertFailure(wrong, wrong.id(), ErrorCode.UNAUTHORIZED);
            assertThat(((Response.Failure) missing).message()).isEqualTo("missing or wrong API key")
                    .isEqualTo(((Response.Failure) wrong).message());
            c.withKey(TestNode.READER_KEY);
            assertStillServes(c);
            assertStillServes(c); // stays authenticated without the key
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void unknownServiceAndOperation(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            Response r = c.call("backup", "list", null);
            assertFailure(r, r.id(), ErrorCode.UNKNOWN_SERVICE);
            assertThat(((Response.Failure) r).message()).contains("backup").contains("cluster");
            r = c.call("cluster", "explode", null);
            assertFailure(r, r.id(), ErrorCode.UNKNOWN_OPERATION);
            assertThat(((Response.Failure) r).message()).contains("explode").contains("watch");
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void unknownObjectAndStreamAreNotFound(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            Response r = c.call("cluster", "get", args("type", "node", "id", "n9"));
            assertFailure(r, r.id(), ErrorCode.NOT_FOUND);
            assertThat(((Response.Failure) r).message()).isEqualTo("object node/n9 not found");
            r = c.call("cluster", "delete", args("type", "network", "id", "v9"));
            assertFailure(r, r.id(), ErrorCode.NOT_FOUND);
            ObjectNode cancel = Json.object().put("stream", 99);
            r = c.call("api", "cancel", cancel);
            assertFailure(r, r.id(), ErrorCode.NOT_FOUND);
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void badArgumentsAreBadRequest(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            Response r = c.call("cluster", "get", args("type", "node"));
            assertFailure(r, r.id(), ErrorCode.BAD_REQUEST);
            r = c.call("cluster", "get", args("type", "planet", "id", "x"));
            assertFailure(r, r.id(), ErrorCode.BAD_REQUEST);
            assertThat(((Response.Failure) r).message()).contains("planet");
            r = c.call("cluster", "put", args("type", "network", "id", "bad id!").set("spec", Json.object()));
            assertFailure(r, r.id(), ErrorCode.BAD_REQUEST);
            r = c.call("cluster", "put", args("type", "network", "id", "v1", "subtype", "ring").set("spec", Json.object()));
            assertFailure(r, r.id(), ErrorCode.BAD_REQUEST);
            r = c.call("cluster", "put", args("type", "node", "id", "n2"));
            assertFailure(r, r.id(), ErrorCode.BAD_REQUEST);
            r = c.call("cluster", "watch", Json.object().put("kinds", "object"));
            assertFailure(r, r.id(), ErrorCode.BAD_REQUEST);
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void readOnlyKeyMayNotWrite(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.READER_KEY)) {
            Response r = c.call("cluster", "put", args("type", "node", "id", "n2").set("spec", Json.object()));
            assertFailure(r, r.id(), ErrorCode.FORBIDDEN);
            assertThat(((Response.Failure) r).message()).contains("viewer").contains("read-only");
            r = c.call("cluster", "delete", args("type", "node", "id", "n2"));
            assertFailure(r, r.id(), ErrorCode.FORBIDDEN);
            assertThat(node.cdb.get().objectCount()).isZero();
            assertThat(c.result("cluster", "list", null)).isEmpty();
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void conditionalPutConflicts(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            ObjectNode create = args("type", "network", "id", "v100", "subtype", "vlan");
            create.set("spec", Json.object().put("uplink", "eth0").put("vlan", 100));
            create.putNull("ifVersion");
            String version = c.result("cluster", "put", create).path("version").asText();

            Response again = c.call("cluster", "put", create);
            assertFailure(again, again.id(), ErrorCode.CONFLICT);
            assertThat(((Response.Failure) again).message()).contains("network/v100").contains(version);

            ObjectNode stale = create.deepCopy().put("ifVersion", "1@n1");
            Response r = c.call("cluster", "put", stale);
            assertFailure(r, r.id(), ErrorCode.CONFLICT);

            ObjectNode current = create.deepCopy().put("ifVersion", version);
            assertThat(c.result("cluster", "put", current).path("version").asText()).isNotEqualTo(version);
            assertStillServes(c);
        }
    }

    @ParameterizedTest(name = "unix={0}")
    @ValueSource(booleans = {true, false})
    void requestForAnotherNodeIsUnavailable(boolean unix) throws IOException {
        try (TestClient c = node.client(unix, TestNode.ADMIN_KEY)) {
            long id = c.send("n7", "api", "ping", null);
            Response r = c.next();
            assertFailure(r, id, ErrorCode.UNAVAILABLE);
            assertThat(((Response.Failure) r).message()).contains("node n7").contains("agent");
            c.send(TestNode.NODE, "api", "ping", null);
            assertThat(c.next()).isInstanceOf(Response.Result.class);
        }
    }

    @Test
    void hugeLengthPrefixIsSkippedWithoutBufferingAndTheNodeServesNewConnections() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            c.sendRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3});
            assertFailure(c.next(), 0, ErrorCode.FRAME_TOO_LARGE);
            System.gc();
            long before = memory.getHeapMemoryUsage().getUsed();
            byte[] chunk = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++) {
                c.sendRaw(chunk); // all of it is being skipped by the server
            }
            try (TestClient other = node.client(false, TestNode.ADMIN_KEY)) {
                assertStillServes(other); // the node is busy skipping for c, not stuck
            }
            System.gc();
            long grown = memory.getHeapMemoryUsage().getUsed() - before;
            assertThat(grown).as("heap growth while 64 MiB were skipped").isLessThan(32L * 1024 * 1024);
            assertThat(c.poll(100)).as("nothing answers a frame still being skipped").isNull();
        }
        try (TestClient fresh = node.client(true, TestNode.ADMIN_KEY)) {
            assertStillServes(fresh);
        }
    }

    static ObjectNode args(String... kv) {
        ObjectNode o = Json.object();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return o;
    }
}
