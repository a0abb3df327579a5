package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.Response;
import io.acp.security.CertificateAuthority;
import io.acp.security.ClusterPki;
import io.acp.security.JoinBinding;
import io.acp.security.JoinTokens;
import io.acp.security.PkiFiles;
import io.acp.security.Revocation;
import io.acp.testing.LogCapture;
import io.acp.testing.WithVertx;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code acp cluster revoke} against real agents over real TLS: a revocation signed by the CA and
 * published in the cluster state closes the revoked client's open connection and refuses its new
 * ones within seconds, for a node certificate and an operator certificate; a revocation not signed
 * by the CA changes nothing.
 */
class RevocationTest extends WithVertx {

    @TempDir
    Path dir;

    AgentStack ca;
    LogCapture log;

    @BeforeEach
    void startCaNode() throws Exception {
        log = new LogCapture("io.acp.agent", "io.acp.security");
        ca = AgentStack.start(vertx, "n1", dir.resolve("n1"));
    }

    @AfterEach
    void stop() {
        ca.close();
        log.close();
    }

    /** Publishes a revocation through the CA node's own agent, as {@code acp cluster revoke} does through its API. */
    private void publish(Revocation r) throws Exception {
        ObjectNode put = Json.object().put("type", "security").put("id", r.objectId()).put("subtype", "revocation");
        put.set("spec", r.toSpec());
        try (TlsTestClient admin = client(ca.pki().nodeKey(), ca.pki().nodeCertificate())) {
            assertThat(admin.call(null, "cluster", "put", put, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
        }
    }

    private TlsTestClient client(Path key, Path cert) throws Exception {
        return TlsTestClient.connect(ca.agentPort(), key, cert, ca.pki().caCertificate());
    }

    private static boolean refused(Callable<TlsTestClient> connect) {
        try (TlsTestClient c = connect.call()) {
            return !(c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY) instanceof Response.Result);
        } catch (Exception e) {
            return true;
        }
    }

    /** Waits up to ten seconds for {@code condition}; revocations are meant to act within about one. */
    private static void within10s(Callable<Boolean> condition) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(until);
            Thread.sleep(100);
        }
    }

    @Test
    void aRevokedNodeIsCutOffAndRefused() throws Exception {
        PkiFiles n2 = PkiFiles.in(dir.resolve("n2"));
        JoinClient.join(new JoinTokens(ca.pki()).issue(Duration.ofHours(1), List.of("127.0.0.1:" + ca.agent.joinPort()), "n1",
                new JoinBinding("n2", false, List.of())), "n2", n2);
        TlsTestClient open = client(n2.nodeKey(), n2.nodeCertificate());
        assertThat(open.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);

        publish(Revocation.ofName(ClusterPki.loadAuthority(ca.pki()), "n2", Instant.now()));

        within10s(() -> ca.agent.revokedRefusals() >= 1);
        assertThatThrownBy(() -> open.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(IOException.class);
        open.close();
        assertThat(refused(() -> client(n2.nodeKey(), n2.nodeCertificate()))).isTrue();
        assertThat(ca.agent.revokedRefusals()).isGreaterThanOrEqualTo(2);
        assertThat(log.has("agent of node n1 closed the connection of node n2", "is revoked")).isTrue();
        assertThat(log.has("agent of node n1 refused a connection from 127.0.0.1: the certificate of node n2", "is revoked")).isTrue();
        // Nothing the revoked node tries gets through: its write never lands.
        ObjectNode put = Json.object().put("type", "system").put("id", "planted");
        put.set("spec", Json.object());
        try (TlsTestClient c = client(n2.nodeKey(), n2.nodeCertificate())) {
            c.call(null, "cluster", "put", put, AgentStack.ADMIN_KEY);
        } catch (IOException expected) {
            // closed before or after sending: either way refused
        }
        assertThat(ca.cdb.object(ObjectKey.of(ObjectType.SYSTEM, "planted"))).isEmpty();
        // The CA node's own certificate is untouched.
        assertThat(refused(() -> client(ca.pki().nodeKey(), ca.pki().nodeCertificate()))).isFalse();
    }

    @Test
    void aRevokedOperatorCertificateIsRefusedBySerial() throws Exception {
        Path bundle = dir.resolve("alice");
        X509Certificate alice = ClusterPki.addOperator(ca.pki(), bundle, "alice", "admin", Duration.ofDays(1));
        ClusterPki.OperatorBundle files = ClusterPki.OperatorBundle.in(bundle);
        assertThat(refused(() -> client(files.key(), files.certificate()))).isFalse();

        publish(Revocation.ofSerial(ClusterPki.loadAuthority(ca.pki()), alice.getSerialNumber(), Instant.now()));

        within10s(() -> refused(() -> client(files.key(), files.certificate())));
        assertThat(log.has("refused a connection from 127.0.0.1: the certificate of operator alice (role admin)", "is revoked")).isTrue();
        // Another operator certificate is not affected.
        Path other = dir.resolve("bob");
        ClusterPki.addOperator(ca.pki(), other, "bob", "read-only", Duration.ofDays(1));
        assertThat(refused(() -> client(ClusterPki.OperatorBundle.in(other).key(), ClusterPki.OperatorBundle.in(other).certificate()))).isFalse();
    }

    @Test
    void aRevocationNotSignedByTheClusterCaChangesNothing() throws Exception {
        Path bundle = dir.resolve("alice");
        ClusterPki.addOperator(ca.pki(), bundle, "alice", "admin", Duration.ofDays(1));
        ClusterPki.OperatorBundle files = ClusterPki.OperatorBundle.in(bundle);

        publish(Revocation.ofName(CertificateAuthority.create("forger"), "alice", Instant.now()));
        publish(Revocation.ofName(CertificateAuthority.create("forger"), "n1", Instant.now()));

        within10s(() -> log.has("ignores security/revoked.name.alice", "not the cluster CA's"));
        assertThat(refused(() -> client(files.key(), files.certificate()))).isFalse();
        assertThat(refused(() -> client(ca.pki().nodeKey(), ca.pki().nodeCertificate()))).isFalse();
        assertThat(ca.agent.revokedRefusals()).isZero();
    }
}
