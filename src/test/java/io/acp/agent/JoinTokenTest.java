package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.Response;
import io.acp.security.ClusterPki;
import io.acp.security.JoinBinding;
import io.acp.security.JoinToken;
import io.acp.security.JoinTokens;
import io.acp.security.NodeCertificates;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Join tokens end to end over real TLS on 127.0.0.1: an issuer node's join port and a fresh joiner. */
class JoinTokenTest extends WithVertx {

    @TempDir
    Path dir;

    AgentStack issuer;

    @BeforeEach
    void startIssuer() throws Exception {
        issuer = AgentStack.start(vertx, "n1", dir.resolve("n1"));
    }

    @AfterEach
    void stopIssuer() {
        issuer.close();
    }

    private JoinToken token(Duration ttl) {
        return token("n2", ttl);
    }

    private JoinToken token(String node, Duration ttl) {
        JoinToken t = new JoinTokens(issuer.pki()).issue(ttl, List.of("127.0.0.1:" + issuer.agent.joinPort()), "n1",
                new JoinBinding(node, false, List.of()));
        // What the operator copies is the printed text.
        return JoinToken.parse(t.encode());
    }

    private PkiFiles joiner(String name) {
        return PkiFiles.in(dir.resolve(name).resolve("data"));
    }

    @Test
    void aJoinedNodeHasItsOwnCertificateFromTheClusterCaAndCanUseTheAgent() throws Exception {
        PkiFiles n2 = joiner("n2");
        X509Certificate cert = JoinClient.join(token(Duration.ofHours(1)), "n2", n2);

        X509Certificate ca = Pem.readCertificate(issuer.pki().caCertificate());
        cert.verify(ca.getPublicKey());
        assertThat(NodeCertificates.nodeId(cert)).isEqualTo("n2");
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(Files.readString(n2.clusterSecret())).isEqualTo(Files.readString(issuer.pki().clusterSecret()));
        assertThat(Files.exists(n2.caKey())).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(n2.dir()))).isEqualTo("rwx------");
        for (Path f : List.of(n2.nodeKey(), n2.nodeCertificate(), n2.caCertificate(), n2.clusterSecret(),
                issuer.pki().dir().resolve("join-tokens"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString()).isEqualTo("rw-------");
        }
        assertThat(Files.readString(issuer.pki().dir().resolve("join-tokens"))).doesNotContain(token(Duration.ofHours(1)).secret());
        ClusterPki.checkNodeCertificate(n2, "n2");

        try (TlsTestClient c = TlsTestClient.connect(issuer.agentPort(), n2.nodeKey(), n2.nodeCertificate(), n2.caCertificate())) {
            assertThat(c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
        }
        // The joined node runs its own agent with its new certificate (it holds no CA key: no join port).
        try (AgentStack second = AgentStack.start(vertx, "n2", dir.resolve("n2"))) {
            assertThat(second.agent.joinPort()).isEqualTo(-1);
            try (TlsTestClient c = TlsTestClient.connect(second.agentPort(), issuer.pki().nodeKey(), issuer.pki().nodeCertificate(),
                    issuer.pki().caCertificate())) {
                assertThat(c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
            }
        }
    }

    @Test
    void aTokenIsUsedOnce() {
        JoinToken t = token(Duration.ofHours(1));
        JoinClient.join(t, "n2", joiner("n2"));
        assertThatThrownBy(() -> JoinClient.join(t, "n2", joiner("n2b")))
                .hasMessageContaining("already used");
        assertThat(Files.exists(joiner("n2b").caCertificate())).isFalse();
    }

    @Test
    void anExpiredTokenIsRefusedByTheJoinerAndByTheIssuer() {
        JoinToken expired = new JoinTokens(issuer.pki()).issueExpiring(Instant.now().minusSeconds(5),
                List.of("127.0.0.1:" + issuer.agent.joinPort()), "n1", new JoinBinding("n2", false, List.of()));
        assertThatThrownBy(() -> JoinClient.join(expired, "n2", joiner("n2"))).hasMessageContaining("expired");
        // A joiner whose clock lags still meets the issuer's check.
        JoinToken lying = new JoinToken(expired.caKeyHash(), expired.secret(), Instant.now().plusSeconds(3600), expired.addresses(),
                expired.node(), expired.issuer());
        assertThatThrownBy(() -> JoinClient.join(lying, "n2", joiner("n2"))).hasMessageContaining("refused the join").hasMessageContaining("expired");
        assertThat(Files.exists(joiner("n2").caCertificate())).isFalse();
    }

    @Test
    void aServerOfAnotherClusterGetsNothing() throws Exception {
        JoinToken t = token(Duration.ofHours(1));
        JoinToken otherCa = new JoinToken("0".repeat(64), t.secret(), t.expires(), t.addresses(), t.node(), t.issuer());
        assertThatThrownBy(() -> JoinClient.join(otherCa, "n2", joiner("n2")))
                .hasMessageContaining("belongs to another cluster").hasMessageContaining("nothing was sent");
        // The secret was not sent, so the real token still works.
        JoinClient.join(t, "n2", joiner("n2"));
    }

    @Test
    void anUnknownSecretGarbageAndAnUnreachableIssuerAreRefusedClearly() {
        JoinToken t = token(Duration.ofHours(1));
        JoinToken forged = new JoinToken(t.caKeyHash(), "x".repeat(43), t.expires(), t.addresses(), t.node(), t.issuer());
        assertThatThrownBy(() -> JoinClient.join(forged, "n2", joiner("n2"))).hasMessageContaining("not known");
        assertThatThrownBy(() -> JoinToken.parse("hello")).hasMessageContaining("not an acp join token");
        assertThatThrownBy(() -> JoinToken.parse("acpjoin2.!!!notbase64")).hasMessageContaining("damaged");
        assertThatThrownBy(() -> JoinToken.parse("acpjoin1.e30")).hasMessageContaining("names no node");
        assertThatThrownBy(() -> JoinToken.parse(t.encode().substring(0, 30))).hasMessageContaining("damaged");
        JoinToken nowhere = new JoinToken(t.caKeyHash(), t.secret(), t.expires(), List.of("127.0.0.1:1"), t.node(), t.issuer());
        assertThatThrownBy(() -> JoinClient.join(nowhere, "n2", joiner("n2"))).hasMessageContaining("cannot reach the issuer's join port at 127.0.0.1:1");
    }

    @Test
    void tokensLiveAtMostADay() {
        assertThatThrownBy(() -> new JoinTokens(issuer.pki()).issue(Duration.ofHours(25), List.of("h:1"), "n1",
                new JoinBinding("n2", false, List.of())))
                .hasMessageContaining("at most 24 hours");
    }
}
