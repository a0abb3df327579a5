package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.api.client.WatchStream;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library client (what {@code acp --agent} uses) against a real agent: calls and a watch stream. */
class AgentClientTest extends WithVertx {

    @TempDir
    Path dir;

    private static ApiEndpoint.Tls endpoint(AgentStack node, PkiFiles client) {
        return new ApiEndpoint.Tls("127.0.0.1", node.agentPort(), client.nodeKey(), client.nodeCertificate(), node.pki().caCertificate());
    }

    @Test
    void callsAndAWatchWorkThroughTheAgent() throws Exception {
        try (AgentStack node = AgentStack.start(vertx, "a", dir.resolve("a"))) {
            // An operator's certificate, issued by the cluster CA like a node's.
            PkiFiles operator = PkiFiles.in(dir.resolve("operator"));
            ClusterPki.addNode(node.pki(), operator, "laptop", Duration.ofDays(1));
            try (ApiClient api = ApiClient.connect(endpoint(node, operator), AgentStack.ADMIN_KEY, Duration.ofSeconds(10));
                 ApiClient writer = ApiClient.connect(endpoint(node, operator), AgentStack.ADMIN_KEY, Duration.ofSeconds(10))) {
                assertThat(api.call("api", "ping", null).path("node").asText()).isEqualTo("a");
                try (WatchStream watch = api.openWatch(null, Json.object().put("type", "system"))) {
                    ObjectNode put = Json.object().put("type", "system").put("id", "s1");
                    put.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
                    writer.call("cluster", "put", put);
                    JsonNode event = watch.next();
                    assertThat(event.path("id").asText()).isEqualTo("s1");
                }
                assertThat(api.call("api", "ping", null).path("pong").asBoolean()).as("usable after the watch").isTrue();
            }
        }
    }

    @Test
    void aClientOfAnotherClusterCannotConnect() throws Exception {
        try (AgentStack node = AgentStack.start(vertx, "a", dir.resolve("a"))) {
            PkiFiles stranger = PkiFiles.in(dir.resolve("stranger"));
            ClusterPki.init(stranger, "x", "elsewhere", Duration.ofDays(1));
            assertThatThrownBy(() -> {
                try (ApiClient api = ApiClient.connect(endpoint(node, stranger), AgentStack.ADMIN_KEY, Duration.ofSeconds(10))) {
                    api.call("api", "ping", null);
                }
            }).isInstanceOfSatisfying(AcpException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.getMessage()).contains("tls:127.0.0.1:" + node.agentPort());
            });
        }
    }
}
