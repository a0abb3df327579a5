package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.framework.ServiceManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code webapi.hello}, the one request a WebSocket answers before login (the login form's hint):
 * it names the node and its admin key file and nothing else, grants nothing, and is not counted
 * as a failed login. Against a real node through a real WebSocket client.
 */
@QuarkusTest
@TestProfile(WebApiProfile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class WebApiHelloTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TestHTTPResource("/api/ws")
    URI http;

    @Inject
    ServiceManager manager;

    @Inject
    WebApiConfig config;

    private Vertx vertx;
    private WsClient client;

    @BeforeAll
    void startNode() {
        vertx = Vertx.vertx();
        manager.startAll().await().atMost(Duration.ofSeconds(30));
    }

    @AfterAll
    void stopNode() {
        if (client != null) {
            client.close();
        }
        manager.stopAll().await().atMost(Duration.ofSeconds(30));
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void helloNamesTheKeyFileButGrantsNothingAndCountsNoFailure() throws Exception {
        client = WsClient.connect(vertx, URI.create("ws://" + http.getHost() + ":" + http.getPort() + http.getPath()), null);
        int asks = config.maxAuthFailures() + 2;
        for (int i = 1; i <= asks; i++) {
            client.send("{\"id\":" + i + ",\"service\":\"webapi\",\"op\":\"hello\"}");
            JsonNode hello = client.answer(i, LIMIT).path("result");
            assertThat(hello.path("node").asText()).isEqualTo("web1");
            assertThat(hello.path("adminKeyFile").asText()).isEqualTo(Path.of(WebApiProfile.DIR, "data", "admin.key").toAbsolutePath().toString());
            assertThat(hello.size()).as("only the node and the key file's path: %s", hello).isEqualTo(2);
        }
        // Still not logged in: every other request is refused.
        client.send("{\"id\":100,\"service\":\"cluster\",\"op\":\"list\",\"args\":{}}");
        assertThat(client.answer(100, LIMIT).path("error").path("code").asText()).isEqualTo("unauthorized");
        // A hello aimed at another node is not the anonymous hello: it needs a key like anything else.
        client.send("{\"id\":101,\"service\":\"webapi\",\"op\":\"hello\",\"node\":\"elsewhere\"}");
        assertThat(client.answer(101, LIMIT).path("error").path("code").asText()).isEqualTo("unauthorized");
        // More hellos than the failure limit did not close the connection: the right key still logs in.
        String key = Files.readString(Path.of(WebApiProfile.DIR, "data", "admin.key")).trim();
        client.send("{\"id\":102,\"service\":\"api\",\"op\":\"ping\",\"key\":\"" + key + "\"}");
        assertThat(client.answer(102, LIMIT).path("result").path("pong").asBoolean()).isTrue();
    }
}
