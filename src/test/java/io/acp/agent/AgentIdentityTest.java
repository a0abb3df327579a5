package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.acp.security.ClusterPki;
import io.acp.security.JoinBinding;
import io.acp.security.JoinTokens;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may serve as an agent: the {@code acp --agent} client and node-to-node routing reach a server
 * holding an operator's certificate, or another node's, and refuse before the API key leaves;
 * an operator bundle carries no cluster secret and cannot run an agent.
 */
class AgentIdentityTest extends WithVertx {

    @TempDir
    Path dir;

    AgentStack n1;
    ClusterPki.OperatorBundle alice;
    PkiFiles n2;

    @BeforeEach
    void startCaNode() throws Exception {
        n1 = AgentStack.start(vertx, "n1", dir.resolve("n1"));
        ClusterPki.addOperator(n1.pki(), dir.resolve("alice"), "alice", "admin", Duration.ofDays(1));
        alice = ClusterPki.OperatorBundle.in(dir.resolve("alice"));
        n2 = PkiFiles.in(dir.resolve("n2").resolve("data"));
        JoinClient.join(new JoinTokens(n1.pki()).issue(Duration.ofHours(1), List.of("127.0.0.1:" + n1.agent.joinPort()), "n1",
                new JoinBinding("n2", false, List.of())), "n2", n2);
    }

    @AfterEach
    void stop() {
        n1.close();
    }

    private ApiEndpoint.Tls agent(int port, String node) {
        return new ApiEndpoint.Tls("127.0.0.1", port, alice.key(), alice.certificate(), alice.caCertificate(), node);
    }

    @Test
    void theAgentClientRefusesAServerHoldingAnOperatorCertificate() throws Exception {
        try (CapturingTlsServer impostor = new CapturingTlsServer(alice.key(), alice.certificate(), alice.caCertificate())) {
            assertThatThrownBy(() -> ApiClient.connect(agent(impostor.port(), null), AgentStack.ADMIN_KEY, Duration.ofSeconds(10)))
                    .isInstanceOf(AcpException.class)
                    .hasMessageContaining("presented the certificate of operator alice (role admin)")
                    .hasMessageContaining("not a node certificate")
                    .hasMessageContaining("the API key was not sent");
            assertThat(impostor.bytesReceived()).isZero();
        }
    }

    @Test
    void theAgentClientRefusesAnotherNodesCertificateWhenItNamesTheNode() throws Exception {
        try (CapturingTlsServer impostor = new CapturingTlsServer(n2.nodeKey(), n2.nodeCertificate(), n2.caCertificate())) {
            assertThatThrownBy(() -> ApiClient.connect(agent(impostor.port(), "n1"), AgentStack.ADMIN_KEY, Duration.ofSeconds(10)))
                    .hasMessageContaining("presented the certificate of node n2, not of node n1")
                    .hasMessageContaining("the API key was not sent");
            assertThat(impostor.bytesReceived()).isZero();
        }
        // The real n1 passes both checks.
        try (ApiClient api = ApiClient.connect(agent(n1.agentPort(), "n1"), AgentStack.ADMIN_KEY, Duration.ofSeconds(10))) {
            assertThat(api.call("api", "ping", null).path("node").asText()).isEqualTo("n1");
        }
    }

    @Test
    void routingRefusesAnAddressServedWithAnOperatorCertificate() throws Exception {
        try (CapturingTlsServer impostor = new CapturingTlsServer(alice.key(), alice.certificate(), alice.caCertificate());
             Cdb forged = Cdb.inMemory("n2")) {
            // The cluster state says n2's agent is at the impostor's address (the repointing attack of issue 13).
            n1.cdb.merge(forged.putMeta(ObjectKey.of(ObjectType.NODE, "n2"), Json.object().put("agent", impostor.address())));
            try (ApiClient local = ApiClient.connect(new ApiEndpoint.Unix(dir.resolve("n1/run/api.sock")), AgentStack.ADMIN_KEY,
                    Duration.ofSeconds(10))) {
                assertThatThrownBy(() -> local.routeTo("n2").call("api", "ping", null))
                        .hasMessageContaining("node n2 is not reachable at " + impostor.address())
                        .hasMessageContaining("it is not the agent of node n2; nothing was sent");
            }
            assertThat(impostor.bytesReceived()).isZero();
        }
    }

    @Test
    void anOperatorBundleHoldsNoSecretAndCannotServeAsAnAgent() throws Exception {
        try (var files = Files.list(dir.resolve("alice"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("operator.key", "operator.crt", "ca.crt");
        }
        // Installed as a node's PKI, the operator certificate does not start an agent.
        PkiFiles posing = PkiFiles.in(dir.resolve("posing").resolve("data"));
        Files.createDirectories(posing.dir());
        Files.copy(alice.key(), posing.nodeKey());
        Files.copy(alice.certificate(), posing.nodeCertificate());
        Files.copy(alice.caCertificate(), posing.caCertificate());
        assertThatThrownBy(() -> AgentStack.start(vertx, "alice", dir.resolve("posing")))
                .hasMessageContaining("is the certificate of operator alice (role admin), not a node certificate");
        assertThat(posing.clusterSecret()).doesNotExist();
    }
    /**
     * The escalation of issue 14 through the real agent: an operator's certificate (client usage
     * only) sends a request "as" another caller with role admin, hoping the agent believes it as it
     * believes a node routing a request. It is refused by rule, and nothing changed.
     */
    @Test
    void anOperatorCertificateCannotVouchForACallerToEscalate() throws Exception {
        ObjectKey target = ObjectKey.of(ObjectType.NETWORK, "escalated");
        ObjectNode args = Json.object().put("type", "network").put("id", "escalated");
        args.set("spec", Json.object().put("vlan", 10));
        try (TlsTestClient client = TlsTestClient.connect(n1.agentPort(), alice.key(), alice.certificate(), alice.caCertificate())) {
            client.send(EnvelopeCodec.encode(new Request(1, null, "cluster", "put", args, null, new Request.Caller("root", "admin"))));
            Response answer = client.receive();
            assertThat(answer).isInstanceOf(Response.Failure.class);
            Response.Failure refused = (Response.Failure) answer;
            assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(refused.message()).contains("rule node-only").contains("is not a node's");
        }
        assertThat(n1.cdb.object(target)).isEmpty();
    }
}
