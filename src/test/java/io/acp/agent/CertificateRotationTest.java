package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.Response;
import io.acp.security.ClusterPki;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A renewed node certificate reaches new connections without a restart; open ones keep working. */
class CertificateRotationTest extends WithVertx {

    @TempDir
    Path dir;

    private static TlsTestClient client(AgentStack node, PkiFiles as) throws Exception {
        return TlsTestClient.connect(node.agentPort(), as.nodeKey(), as.nodeCertificate(), as.caCertificate());
    }

    @Test
    void afterRenewalNewConnectionsSeeTheNewCertificateAndOldOnesStillWork() throws Exception {
        try (AgentStack node = AgentStack.start(vertx, "n1", dir)) {
            PkiFiles pki = node.pki();
            // A client with a certificate of its own, so the node's renewal does not touch it.
            PkiFiles operator = PkiFiles.in(dir.resolve("operator"));
            ClusterPki.addNode(pki, operator, "operator", Duration.ofDays(1));
            try (TlsTestClient old = client(node, operator)) {
                X509Certificate before = old.serverCertificate();

                X509Certificate renewed = ClusterPki.issueOwnCertificate(pki, ClusterPki.loadAuthority(pki), "n1", Duration.ofDays(365));
                node.agent.reloadCertificate().await().atMost(Duration.ofSeconds(10));

                try (TlsTestClient fresh = client(node, operator)) {
                    assertThat(fresh.serverCertificate().getSerialNumber()).isEqualTo(renewed.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
                    assertThat(fresh.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
                }
                assertThat(old.serverCertificate().getSerialNumber()).isEqualTo(before.getSerialNumber());
                assertThat(old.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
            }
            // Still mutual TLS after the reload: no client certificate, no entry.
            assertThatThrownBy(() -> TlsTestClient.connect(node.agentPort(), null, null, pki.caCertificate()).call(null, "api", "ping", null,
                    AgentStack.ADMIN_KEY)).isInstanceOf(Exception.class);
        }
    }

    @Test
    void aCertificateCloseToExpiryIsRenewedOnTheCaNodeAndAReplacedOneIsNoticed() throws Exception {
        try (AgentStack node = AgentStack.start(vertx, "n1", dir)) {
            PkiFiles pki = node.pki();
            CertificateRenewal renewal = new CertificateRenewal("n1", pki);
            renewal.serving(Pem.readCertificate(pki.nodeCertificate()));
            assertThat(renewal.check()).isFalse();

            ClusterPki.issueOwnCertificate(pki, ClusterPki.loadAuthority(pki), "n1", Duration.ofDays(10));
            assertThat(renewal.check()).as("replaced on disk and close to expiry").isTrue();
            X509Certificate now = Pem.readCertificate(pki.nodeCertificate());
            assertThat(now.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(300)));

            node.agent.reloadCertificate().await().atMost(Duration.ofSeconds(10));
            try (TlsTestClient fresh = client(node, pki)) {
                assertThat(fresh.serverCertificate().getSerialNumber()).isEqualTo(now.getSerialNumber());
            }
        }
    }
}
