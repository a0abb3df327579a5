package io.acp.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class ApiClientTest {

    @TempDir
    Path dir;

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void callReturnsTheResultAndSendsTheKeyOnlyUntilAccepted() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), FakeApiServer.result(json("{\"pong\":true}")));
             ApiClient client = ApiClient.connect(server.endpoint(), "secret")) {
            assertThat(client.call("api", "ping", Json.object()).path("pong").asBoolean()).isTrue();
            client.call("api", "ping", null);

            List<Request> got = server.received();
            assertThat(got).hasSize(2);
            assertThat(got.get(0).key()).isEqualTo("secret");
            assertThat(got.get(0).service()).isEqualTo("api");
            assertThat(got.get(0).op()).isEqualTo("ping");
            assertThat(got.get(1).key()).isNull();
            assertThat(got.get(1).id()).isGreaterThan(got.get(0).id());
        }
    }

    @Test
    void keyIsSentAgainAfterAnUnauthorizedAnswer() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"),
                r -> List.of(new Response.Failure(r.id(), ErrorCode.UNAUTHORIZED, "missing or wrong API key")));
             ApiClient client = ApiClient.connect(server.endpoint(), "wrong")) {
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> client.call("framework", "status", Json.object()))
                        .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
            }
            assertThat(server.received()).extracting(Request::key).containsExactly("wrong", "wrong");
        }
    }

    @Test
    void errorsBecomeAcpExceptionsWithTheNodesCodeAndMessage() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"),
                r -> List.of(new Response.Failure(r.id(), ErrorCode.NOT_FOUND, "object network/v9 not found")));
             ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            assertThatThrownBy(() -> client.call("cluster", "get", Json.object()))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).isEqualTo("object network/v9 not found");
                    });
        }
    }

    @Test
    void answersToOtherIdsAreSkipped() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), r -> List.of(
                new Response.Event(r.id() + 100, json("{\"stale\":true}")),
                new Response.End(r.id() + 100),
                new Response.Result(r.id(), json("{\"mine\":true}"))));
             ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            assertThat(client.call("api", "ping", Json.object()).path("mine").asBoolean()).isTrue();
        }
    }

    @Test
    void worksOverLoopbackTcp() throws Exception {
        try (FakeApiServer server = FakeApiServer.tcp(FakeApiServer.result(json("{\"node\":\"n1\"}")));
             ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            assertThat(client.call("framework", "status", Json.object()).path("node").asText()).isEqualTo("n1");
            assertThat(client.endpoint().describe()).startsWith("tcp:127.0.0.1:");
        }
    }

    @Test
    void connectFailureNamesTheSocketAndHowToStartTheNode() {
        Path missing = dir.resolve("nothing-here.sock");
        assertThatThrownBy(() -> ApiClient.connect(new ApiEndpoint.Unix(missing), "k"))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage())
                            .startsWith("cannot reach the node's API at unix:" + missing + ": ")
                            .endsWith("(is the node running? start it with 'acp node run')");
                });
    }

    @Test
    void aSilentNodeTimesOut() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), r -> List.of());
             ApiClient client = ApiClient.connect(server.endpoint(), "k", Duration.ofMillis(300))) {
            assertThatThrownBy(() -> client.call("api", "ping", Json.object()))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                        assertThat(e.getMessage()).contains(server.endpoint().describe());
                    });
        }
    }

    @Test
    void aClosedConnectionIsUnavailable() throws Exception {
        FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), r -> {
            throw new IllegalStateException("drop the connection");
        });
        try (server; ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            assertThatThrownBy(() -> client.call("api", "ping", Json.object()))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("closed the connection");
                    });
        }
    }

    @Test
    void anOversizedResponseIsRefusedWithoutReadingIt() throws Exception {
        long tooBig = Frames.MAX_RESPONSE_BYTES + 1L;
        byte[] header = {(byte) (tooBig >>> 24), (byte) (tooBig >>> 16), (byte) (tooBig >>> 8), (byte) tooBig};
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), r -> List.of(new FakeApiServer.Raw(header)));
             ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            assertThatThrownBy(() -> client.call("api", "ping", Json.object()))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME);
                        assertThat(e.getMessage()).contains(String.valueOf(tooBig));
                    });
        }
    }

    @Test
    void watchDeliversEventsUntilTheStreamEnds() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), r -> {
            ObjectNode stream = Json.object().put("stream", r.id());
            return List.of(new Response.Result(r.id(), stream),
                    new Response.Event(r.id(), Json.object().put("id", "a")),
                    new Response.Event(r.id(), Json.object().put("id", "b")),
                    new Response.End(r.id()));
        }); ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            List<String> ids = new ArrayList<>();
            client.watch(Json.object().put("type", "network"), e -> ids.add(e.path("id").asText()));
            assertThat(ids).containsExactly("a", "b");
            assertThat(server.received().get(0).op()).isEqualTo("watch");
            assertThat(server.received().get(0).args().path("type").asText()).isEqualTo("network");
            // The stream ended by itself: no cancel sent, and the client is free again.
            assertThat(server.received()).hasSize(1);
        }
    }

    @Test
    void closingAnOpenWatchCancelsItOnTheNode() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"), r -> {
            if (r.op().equals("cancel")) {
                long stream = r.args().path("stream").asLong();
                return List.of(new Response.Result(r.id(), Json.object().put("cancelled", true)), new Response.End(stream));
            }
            return List.of(new Response.Result(r.id(), Json.object().put("stream", r.id())),
                    new Response.Event(r.id(), Json.object().put("id", "a")));
        }); ApiClient client = ApiClient.connect(server.endpoint(), "k")) {
            try (WatchStream stream = client.openWatch(null, Json.object())) {
                assertThat(stream.next().path("id").asText()).isEqualTo("a");
                assertThatThrownBy(() -> client.call("api", "ping", Json.object())).isInstanceOf(IllegalStateException.class);
            }
            Request cancel = server.received().get(1);
            assertThat(cancel.service()).isEqualTo("api");
            assertThat(cancel.op()).isEqualTo("cancel");
            assertThat(cancel.args().path("stream").asLong()).isEqualTo(server.received().get(0).id());
        }
    }

    @Test
    void closingTheClientFromAnotherThreadEndsABlockedWatch() throws Exception {
        try (FakeApiServer server = FakeApiServer.unix(dir.resolve("api.sock"),
                r -> List.of(new Response.Result(r.id(), Json.object().put("stream", r.id()))))) {
            ApiClient client = ApiClient.connect(server.endpoint(), "k");
            WatchStream stream = client.openWatch(null, Json.object());
            java.util.concurrent.CompletableFuture<Throwable> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    stream.next();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(200); // let it block in next()
            client.close();
            assertThat(ended.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        }
    }

    @Test
    void tcpAddressesAreParsedStrictly() {
        assertThat(ApiEndpoint.parseTcp("127.0.0.1:7440")).isEqualTo(new ApiEndpoint.Tcp("127.0.0.1", 7440));
        assertThat(ApiEndpoint.parseTcp("[::1]:7440")).isEqualTo(new ApiEndpoint.Tcp("::1", 7440));
        for (String bad : new String[] {"127.0.0.1", ":7440", "host:", "host:0", "host:70000", "host:x"}) {
            assertThatThrownBy(() -> ApiEndpoint.parseTcp(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
        }
    }
}
