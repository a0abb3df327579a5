package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.service.ClusterService;
import io.acp.framework.ServiceManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.bench.WebApiFanout;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The WebSocket endpoint of a real node (cluster, api, webapi started by the Framework; Quarkus'
 * HTTP listener on a free port) through a real WebSocket client: authentication, origin, bounds,
 * routing to the API's services, session tokens, and a watch that coalesces for a slow reader.
 */
@QuarkusTest
@TestProfile(WebApiProfile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class WebApiEndpointTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TestHTTPResource("/api/ws")
    URI http;

    @Inject
    ServiceManager manager;

    @Inject
    ClusterService cluster;

    @Inject
    WebApiService webapi;

    private Vertx vertx;
    private String key;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void startNode() throws Exception {
        if (vertx == null) {
            vertx = Vertx.vertx();
            manager.startAll().await().atMost(Duration.ofSeconds(30));
            key = Files.readString(Path.of(WebApiProfile.DIR, "data", "admin.key")).trim();
        }
    }

    @AfterAll
    void stopNode() {
        clients.forEach(WsClient::close);
        manager.stopAll().await().atMost(Duration.ofSeconds(30));
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private URI ws() {
        return URI.create("ws://" + http.getHost() + ":" + http.getPort() + http.getPath());
    }

    private WsClient connect(String origin) {
        WsClient c = WsClient.connect(vertx, ws(), origin);
        clients.add(c);
        return c;
    }

    private WsClient authenticated() throws Exception {
        WsClient c = connect(null);
        c.send("{\"id\":1,\"service\":\"api\",\"op\":\"ping\",\"key\":\"" + key + "\"}");
        assertThat(c.answer(1, LIMIT).path("result").path("pong").asBoolean()).isTrue();
        return c;
    }

    @Test
    @Order(1)
    void aRightKeyIsServedAndAWrongOrMissingKeyGetTheSameAnswer() throws Exception {
        WsClient c = connect(null);
        c.send("{\"id\":1,\"service\":\"api\",\"op\":\"ping\"}");
        JsonNode missing = c.answer(1, LIMIT).path("error");
        c.send("{\"id\":2,\"service\":\"api\",\"op\":\"ping\",\"key\":\"acp_wrong\"}");
        JsonNode wrong = c.answer(2, LIMIT).path("error");
        c.send("{\"id\":3,\"service\":\"api\",\"op\":\"ping\",\"key\":\"acpw_not-a-session\"}");
        JsonNode wrongToken = c.answer(3, LIMIT).path("error");
        assertThat(missing.path("code").asText()).isEqualTo("unauthorized");
        assertThat(wrong).isEqualTo(missing);
        assertThat(wrongToken).isEqualTo(missing);

        c.send("{\"id\":4,\"service\":\"api\",\"op\":\"ping\",\"key\":\"" + key + "\"}");
        assertThat(c.answer(4, LIMIT).path("result").path("node").asText()).isEqualTo("web1");
        // Authenticated from now on: no key needed, and every service of the API answers.
        c.send("{\"id\":5,\"service\":\"framework\",\"op\":\"status\"}");
        assertThat(c.answer(5, LIMIT).path("result").path("node").asText()).isEqualTo("web1");
    }

    @Test
    @Order(2)
    void repeatedFailedAuthenticationClosesTheConnection() throws Exception {
        WsClient c = connect(null);
        for (int i = 1; i <= 5; i++) {
            c.send("{\"id\":" + i + ",\"service\":\"api\",\"op\":\"ping\",\"key\":\"acp_wrong\"}");
        }
        assertThat(c.awaitClose(LIMIT)).isEqualTo((short) 1008);
    }

    @Test
    @Order(3)
    void aConnectionThatNeverAuthenticatesIsClosed() throws Exception {
        WsClient c = connect(null);
        assertThat(c.awaitClose(LIMIT)).as("closed after acp.webapi.auth-timeout (3 s)").isEqualTo((short) 1008);
    }

    @Test
    @Order(4)
    void aPageOfAnotherOriginIsRefusedAndTheNodesOwnOriginIsServed() throws Exception {
        assertThatThrownBy(() -> connect("http://evil.example"))
                .hasMessageContaining("403");
        assertThatThrownBy(() -> connect("http://" + http.getHost() + ":" + (http.getPort() + 1)))
                .as("same host, another port is another origin").hasMessageContaining("403");
        WsClient same = connect("http://" + http.getHost() + ":" + http.getPort());
        same.send("{\"id\":1,\"service\":\"api\",\"op\":\"ping\",\"key\":\"" + key + "\"}");
        assertThat(same.answer(1, LIMIT).has("result")).isTrue();
    }

    @Test
    @Order(5)
    void anOversizedMessageClosesWith1009() throws Exception {
        WsClient c = authenticated();
        c.send("{\"id\":2,\"service\":\"api\",\"op\":\"ping\",\"args\":{\"pad\":\"" + "x".repeat(5000) + "\"}}");
        assertThat(c.awaitClose(LIMIT)).isEqualTo((short) 1009);
    }

    @Test
    @Order(6)
    void malformedJsonIsAnsweredAndTheConnectionStaysUsable() throws Exception {
        WsClient c = authenticated();
        c.send("{nope");
        JsonNode bad = c.next(LIMIT);
        assertThat(bad.path("id").asLong()).isZero();
        assertThat(bad.path("error").path("code").asText()).isEqualTo("bad_frame");
        c.send("[1,2]");
        assertThat(c.next(LIMIT).path("error").path("code").asText()).isEqualTo("bad_frame");
        c.send("{\"id\":7,\"op\":\"ping\"}");
        assertThat(c.answer(7, LIMIT).path("error").path("code").asText()).isEqualTo("bad_request");
        c.send("{\"id\":8,\"service\":\"api\",\"op\":\"ping\"}");
        assertThat(c.answer(8, LIMIT).has("result")).isTrue();
    }

    @Test
    @Order(7)
    void unknownServiceAndOperationAreNamed() throws Exception {
        WsClient c = authenticated();
        c.send("{\"id\":2,\"service\":\"nope\",\"op\":\"ping\"}");
        JsonNode unknown = c.answer(2, LIMIT).path("error");
        assertThat(unknown.path("code").asText()).isEqualTo("unknown_service");
        assertThat(unknown.path("message").asText()).contains("'nope'").contains("cluster");
        c.send("{\"id\":3,\"service\":\"webapi\",\"op\":\"nope\"}");
        assertThat(c.answer(3, LIMIT).path("error").path("code").asText()).isEqualTo("unknown_operation");
    }

    @Test
    @Order(8)
    void requestsBeyondTheRateAreRefusedNotRun() throws Exception {
        WsClient c = authenticated();
        for (int i = 2; i <= 31; i++) {
            c.send("{\"id\":" + i + ",\"service\":\"api\",\"op\":\"ping\"}");
        }
        int served = 0;
        int limited = 0;
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (int i = 2; i <= 31; i++) {
            JsonNode a = c.next(LIMIT);
            ids.add(a.path("id").asLong());
            if (a.has("result")) {
                served++;
            } else if ("rate_limited".equals(a.path("error").path("code").asText())) {
                limited++;
            }
        }
        assertThat(ids).as("every request answered once, by its id").hasSize(30);
        assertThat(served + limited).isEqualTo(30);
        assertThat(limited).as("30 requests at once against a burst of 10").isGreaterThanOrEqualTo(15);
        assertThat(c.closed()).isFalse();
    }

    @Test
    @Order(9)
    void aSessionTokenStandsInForTheKeyUntilLogout() throws Exception {
        WsClient c = authenticated();
        c.send("{\"id\":2,\"service\":\"webapi\",\"op\":\"login\"}");
        JsonNode login = c.answer(2, LIMIT).path("result");
        String token = login.path("token").asText();
        assertThat(token).startsWith("acpw_");
        assertThat(login.path("role").asText()).isEqualTo("admin");

        WsClient other = connect(null);
        other.send("{\"id\":1,\"service\":\"api\",\"op\":\"ping\",\"key\":\"" + token + "\"}");
        assertThat(other.answer(1, LIMIT).has("result")).isTrue();
        other.send("{\"id\":2,\"service\":\"webapi\",\"op\":\"logout\"}");
        assertThat(other.answer(2, LIMIT).path("result").path("loggedOut").asBoolean()).isTrue();

        WsClient third = connect(null);
        third.send("{\"id\":1,\"service\":\"api\",\"op\":\"ping\",\"key\":\"" + token + "\"}");
        assertThat(third.answer(1, LIMIT).path("error").path("code").asText()).isEqualTo("unauthorized");
    }

    /**
     * A reader that does not read while 20,000 stats of one object are written gets far fewer
     * events than writes, versions only rising, and the last value: the latest per key.
     */
    @Test
    @Order(10)
    void aWatchCoalescesForASlowReaderAndEndsOnTheLatestValue() throws Exception {
        WsClient c = authenticated();
        c.send("{\"id\":2,\"service\":\"cluster\",\"op\":\"watch\",\"args\":{\"type\":\"system\",\"id\":\"w1\",\"kinds\":[\"stats\"]}}");
        assertThat(c.answer(2, LIMIT).path("result").path("stream").asLong()).isEqualTo(2);
        c.socket().pause();
        ObjectKey key = new ObjectKey(ObjectType.SYSTEM, "w1");
        int writes = 20_000;
        for (int i = 1; i <= writes; i++) {
            cluster.cdb().putStats(key, Map.of("seq", (double) i));
        }
        c.socket().resume();
        List<JsonNode> events = new ArrayList<>();
        double last = 0;
        while (last < writes) {
            JsonNode e = c.answer(2, LIMIT).path("event");
            events.add(e);
            last = e.path("values").path("seq").asDouble();
        }
        assertThat(events.size()).as("events delivered for %d writes", writes).isLessThan(writes);
        List<String> versions = events.stream().map(e -> e.path("version").asText()).toList();
        for (int i = 1; i < versions.size(); i++) {
            assertThat(io.acp.model.EntryJson.parseVersion(versions.get(i))).isGreaterThan(io.acp.model.EntryJson.parseVersion(versions.get(i - 1)));
        }
        c.send("{\"id\":3,\"service\":\"api\",\"op\":\"cancel\",\"args\":{\"stream\":2}}");
        assertThat(c.answer(3, LIMIT).path("result").path("cancelled").asBoolean()).isTrue();
        assertThat(c.answer(2, LIMIT).path("end").asBoolean()).isTrue();
    }

    /** The short form of scripts/bench-webapi: 100 clients watching the node's 1 Hz stats for 5 s lose nothing. */
    @Test
    @Order(11)
    void aHundredClientsWatchingLiveStatsMissNoUpdate() throws Exception {
        WebApiFanout fanout = new WebApiFanout(vertx, ws(), key, "web1");
        WebApiFanout.Result r = fanout.run(100, Duration.ofSeconds(5), window -> {
            ArrayNode history = Json.MAPPER.createArrayNode();
            cluster.cdb().statsHistory(new ObjectKey(ObjectType.NODE, "web1"), "web1").forEach(e -> history.add(EntryJson.toJson(e)));
            return WebApiFanout.versionsWithin(history, window[0], window[1]);
        }, () -> { });
        assertThat(r.written()).as("samples the node wrote in the window").isGreaterThanOrEqualTo(2);
        assertThat(r.lost()).isZero();
        assertThat(r.outOfOrder()).isZero();
    }

    @Test
    @Order(12)
    void whileTheServiceIsStoppedUpgradesAreRefusedAndStreamsEnd() throws Exception {
        WsClient c = authenticated();
        c.send("{\"id\":2,\"service\":\"cluster\",\"op\":\"watch\",\"args\":{\"type\":\"alarm\"}}");
        c.answer(2, LIMIT);
        webapi.stop().await().atMost(LIMIT);
        assertThat(c.answer(2, LIMIT).path("end").asBoolean()).isTrue();
        assertThat(c.awaitClose(LIMIT)).isEqualTo((short) 1001);
        assertThatThrownBy(() -> connect(null)).hasMessageContaining("503");
        webapi.start(null).await().atMost(LIMIT);
        authenticated();
    }
}
