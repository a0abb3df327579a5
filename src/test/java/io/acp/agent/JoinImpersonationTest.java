package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.JoinBinding;
import io.acp.security.JoinToken;
import io.acp.security.JoinTokens;
import io.acp.security.NodeCertificates;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.security.RevocationList;
import io.acp.testing.LogCapture;
import io.acp.testing.WithVertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names are bound at the issuer: the attacks of issue 13 against a real CA node's join port over
 * real TLS. Each refusal is logged and counted, issues no certificate and leaves the admissions in
 * the cluster state as they were.
 */
class JoinImpersonationTest extends WithVertx {

    @TempDir
    Path dir;

    AgentStack issuer;
    LogCapture log;
    X509Certificate n2;

    @BeforeEach
    void startIssuerAndAdmitN2() throws Exception {
        log = new LogCapture("io.acp.agent", "io.acp.security");
        issuer = AgentStack.start(vertx, "n1", dir.resolve("n1"));
        n2 = JoinClient.join(token("n2", false, List.of()), "n2", joiner("n2"));
    }

    @AfterEach
    void stopIssuer() {
        issuer.close();
        log.close();
    }

    private JoinToken token(String node, boolean replace, List<String> from) {
        return new JoinTokens(issuer.pki()).issue(Duration.ofHours(1), List.of("127.0.0.1:" + issuer.agent.joinPort()), "n1",
                new JoinBinding(node, replace, from));
    }

    private PkiFiles joiner(String name) {
        return PkiFiles.in(dir.resolve("joiners").resolve(name + "-" + System.nanoTime()));
    }

    private Optional<ObjectEntry> admission(String node) {
        return issuer.cdb.object(ObjectKey.of(ObjectType.SECURITY, "admitted." + node));
    }

    @Test
    void anAdmissionIsRecordedInTheClusterState() {
        ObjectEntry a = admission("n2").orElseThrow();
        assertThat(a.subtype()).isEqualTo("admission");
        assertThat(a.spec().path("serial").asText()).isEqualTo(n2.getSerialNumber().toString(16));
        assertThat(a.spec().path("from").asText()).isEqualTo("127.0.0.1");
        assertThat(a.spec().path("replaced").asBoolean()).isFalse();
        assertThat(log.has("node n1 admitted node n2 from 127.0.0.1")).isTrue();
    }

    @Test
    void aSecondTokenForAnExistingMemberGetsNoCertificate() {
        ObjectEntry before = admission("n2").orElseThrow();
        PkiFiles attacker = joiner("n2");
        assertThatThrownBy(() -> JoinClient.join(token("n2", false, List.of()), "n2", attacker))
                .hasMessageContaining("node n2 is already a member of the cluster")
                .hasMessageContaining("no certificate was issued")
                .hasMessageContaining("--replace");
        assertThat(Files.exists(attacker.dir())).isFalse();
        assertThat(admission("n2")).contains(before);
        assertThat(issuer.agent.joinRefusals()).isEqualTo(1);
        assertThat(log.has("node n1 refused a join from 127.0.0.1", "already a member")).isTrue();
    }

    @Test
    void theCaNodesNameIsNeverIssued() {
        PkiFiles attacker = joiner("n1");
        assertThatThrownBy(() -> JoinClient.join(token("n1", true, List.of()), "n1", attacker))
                .hasMessageContaining("node n1 is the CA node itself").hasMessageContaining("no certificate was issued");
        assertThat(Files.exists(attacker.dir())).isFalse();
        assertThat(admission("n1")).isEmpty();
        assertThat(issuer.agent.joinRefusals()).isEqualTo(1);
    }

    @Test
    void aTokenForOneNameCannotSignAnother() {
        JoinToken forN5 = token("n5", false, List.of());
        // The attacker edits what the token claims; the issuer goes by its own record of the token.
        JoinToken claimsN3 = new JoinToken(forN5.caKeyHash(), forN5.secret(), forN5.expires(), forN5.addresses(), "n3", forN5.issuer());
        PkiFiles attacker = joiner("n3");
        assertThatThrownBy(() -> JoinClient.join(claimsN3, "n3", attacker))
                .hasMessageContaining("the join token admits node n5 only, but the certificate request names node n3")
                .hasMessageContaining("no certificate was issued");
        assertThat(Files.exists(attacker.dir())).isFalse();
        assertThat(admission("n3")).isEmpty();
        assertThat(admission("n5")).isEmpty();
        assertThat(issuer.agent.joinRefusals()).isEqualTo(1);
        // The refused attempt used the token up.
        assertThatThrownBy(() -> JoinClient.join(forN5, "n5", joiner("n5"))).hasMessageContaining("already used");
        // The joiner itself refuses a token for another name before connecting.
        assertThatThrownBy(() -> JoinClient.join(token("n6", false, List.of()), "n7", joiner("n7")))
                .hasMessageContaining("the join token admits node n6, not this node n7");
    }

    @Test
    void aTokenBoundToSourceAddressesRefusesOthers() {
        PkiFiles joiner = joiner("n4");
        assertThatThrownBy(() -> JoinClient.join(token("n4", false, List.of("10.9.9.9")), "n4", joiner))
                .hasMessageContaining("may be redeemed only from [10.9.9.9], not from 127.0.0.1");
        assertThat(Files.exists(joiner.dir())).isFalse();
        assertThat(admission("n4")).isEmpty();
        JoinClient.join(token("n4", false, List.of("10.9.9.9", "127.0.0.1")), "n4", joiner("n4"));
        assertThat(admission("n4")).isPresent();
    }

    @Test
    void replacingAMemberRevokesItsEarlierCertificates() {
        X509Certificate replacement = JoinClient.join(token("n2", true, List.of()), "n2", joiner("n2"));

        assertThat(NodeCertificates.nodeId(replacement)).isEqualTo("n2");
        assertThat(admission("n2").orElseThrow().spec().path("serial").asText()).isEqualTo(replacement.getSerialNumber().toString(16));
        assertThat(admission("n2").orElseThrow().spec().path("replaced").asBoolean()).isTrue();
        RevocationList revocations = new RevocationList("n1", Pem.readCertificate(issuer.pki().caCertificate()),
                () -> issuer.cdb.objects(io.acp.cluster.ObjectQuery.ofType(ObjectType.SECURITY)));
        assertThat(revocations.revoked(n2)).isTrue();
        assertThat(revocations.revoked(replacement)).isFalse();
        assertThat(log.has("node n1 revoked every certificate of 'n2'")).isTrue();
    }
}
