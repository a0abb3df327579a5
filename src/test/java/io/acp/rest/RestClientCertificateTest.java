package io.acp.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.service.ClusterService;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.framework.ServiceManager;
import io.acp.security.ClusterPki;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.security.Revocation;
import io.acp.testing.Eventually;
import io.acp.testing.TestPki;
import io.acp.testing.TestTls;
import io.acp.webapi.HttpsListener;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REST over the node's HTTPS listener ({@code acp.webapi.https-port}) with real TLS: an operator
 * certificate of the cluster CA authenticates as its name and role; a node's certificate, a
 * revoked one and one of another CA are refused and change nothing; an API key still works there.
 */
@QuarkusTest
@TestProfile(RestNodeProfile.class)
@Timeout(120)
class RestClientCertificateTest {

    private static final String LAN = "{\"id\":\"%s\",\"subtype\":\"vlan\",\"spec\":{\"uplink\":\"eth0\",\"vlan\":%d}}";

    @Inject
    ServiceManager manager;

    @Inject
    ClusterService cluster;

    @Inject
    HttpsListener https;

    @BeforeEach
    void node() throws Exception {
        RestNode.start(manager);
        assertThat(https.port()).as("the HTTPS listener of the test node").isPositive();
    }

    /** An operator bundle from the test cluster's CA, made once per name. */
    private static SSLContext operator(String name, String role) throws Exception {
        Path dir = Path.of(RestNodeProfile.DIR, "operators", name);
        ClusterPki.OperatorBundle bundle = ClusterPki.OperatorBundle.in(dir);
        if (!Files.exists(bundle.certificate())) {
            ClusterPki.addOperator(RestNode.ca(), dir, name, role, Duration.ofDays(30));
        }
        return TestTls.context(Pem.readPrivateKey(bundle.key()), Pem.readCertificate(bundle.certificate()), caCertificate());
    }

    private static java.security.cert.X509Certificate caCertificate() {
        return Pem.readCertificate(RestNode.ca().caCertificate());
    }

    private record Answer(int status, JsonNode body) {
    }

    private Answer call(SSLContext tls, String method, String path, String body, String key) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + https.port() + path).openConnection();
        c.setSSLSocketFactory(tls.getSocketFactory());
        // the node's certificate names the node, not 127.0.0.1: the CA is what is checked here
        c.setHostnameVerifier((host, session) -> true);
        c.setConnectTimeout(5000);
        c.setReadTimeout(20000);
        c.setRequestMethod(method);
        if (key != null) {
            c.setRequestProperty("Authorization", "Bearer " + key);
        }
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(status, text.isBlank() ? Json.object() : Json.MAPPER.readTree(text));
        }
    }

    private boolean networkExists(String id) {
        return cluster.cdb().object(ObjectKey.of(ObjectType.NETWORK, id)).filter(e -> !e.deleted()).isPresent();
    }

    @Test
    void anAdminOperatorCertificateAuthenticatesWithoutAKeyAndTheTaskNamesIt() throws Exception {
        SSLContext root = operator("certroot", "admin");
        Answer created = call(root, "POST", "/api/v1/networks", LAN.formatted("certlan", 310), null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
        assertThat(networkExists("certlan")).isTrue();
        Answer tasks = call(root, "GET", "/api/v1/tasks?user=cert:certroot", null, null);
        assertThat(tasks.status()).isEqualTo(200);
        Eventually.await(Duration.ofSeconds(10), () -> {
            try {
                JsonNode list = call(root, "GET", "/api/v1/tasks?user=cert:certroot", null, null).body();
                for (JsonNode t : list) {
                    if (t.path("object").asText().equals("network/certlan")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        }, "the task of the network's creation names cert:certroot");
    }

    @Test
    void aReadOnlyCertificateReadsButItsWriteIsRefusedAndChangesNothing() throws Exception {
        SSLContext reader = operator("certreader", "read-only");
        assertThat(call(reader, "GET", "/api/v1/networks", null, null).status()).isEqualTo(200);
        Answer refused = call(reader, "POST", "/api/v1/networks", LAN.formatted("readerlan", 311), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().path("code").asText()).isEqualTo("forbidden");
        assertThat(refused.body().path("detail").asText()).contains("cert:certreader").contains("read-only");
        assertThat(networkExists("readerlan")).isFalse();
    }

    @Test
    void aNodeCertificateIsNotAUserAndIsRefusedBeforeAnyRoute() throws Exception {
        // the attack: a stolen node key (here node a's own) used as a REST caller
        PkiFiles node = PkiFiles.in(Path.of(RestNodeProfile.DIR, "data"));
        SSLContext asNode = TestTls.context(Pem.readPrivateKey(node.nodeKey()), Pem.readCertificate(node.nodeCertificate()), caCertificate());
        Answer refused = call(asNode, "POST", "/api/v1/networks", LAN.formatted("nodelan", 312), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().path("detail").asText()).contains("node a").contains("is not an operator certificate");
        assertThat(networkExists("nodelan")).isFalse();
        // even with a valid admin key beside it: the listener refuses the certificate first
        assertThat(call(asNode, "GET", "/api/v1/networks", null, RestNode.ADMIN).status()).isEqualTo(403);
    }

    @Test
    void aRevokedOperatorCertificateIsRefusedWithinSecondsAndChangesNothing() throws Exception {
        SSLContext mallory = operator("certmallory", "admin");
        assertThat(call(mallory, "GET", "/api/v1/networks", null, null).status()).isEqualTo(200);
        Revocation r = Revocation.ofName(ClusterPki.loadAuthority(RestNode.ca()), "certmallory", Instant.now());
        cluster.cdb().putObject(new ObjectKey(ObjectType.SECURITY, r.objectId()), Revocation.SUBTYPE, r.toSpec(), null)
                .await().atMost(Duration.ofSeconds(10));
        Eventually.await(Duration.ofSeconds(10), () -> {
            try {
                return call(mallory, "GET", "/api/v1/networks", null, null).status() == 403;
            } catch (IOException e) {
                return false;
            }
        }, "the revoked certificate is refused");
        Answer refused = call(mallory, "POST", "/api/v1/networks", LAN.formatted("mallorylan", 313), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().path("detail").asText()).contains("certmallory").contains("revoked");
        assertThat(networkExists("mallorylan")).isFalse();
    }

    @Test
    void aCertificateOfAnotherCaFailsTheHandshake() throws Exception {
        PkiFiles other = TestPki.newCluster(Files.createTempDirectory("acp-other-ca"), "other");
        Path dir = Files.createTempDirectory("acp-other-op").resolve("bundle");
        ClusterPki.addOperator(other, dir, "certroot", "admin", Duration.ofDays(30));
        ClusterPki.OperatorBundle bundle = ClusterPki.OperatorBundle.in(dir);
        // trusts our CA (so the client accepts the node) but presents a certificate our CA never signed
        SSLContext forged = TestTls.presentingAlways(Pem.readPrivateKey(bundle.key()), Pem.readCertificate(bundle.certificate()), caCertificate());
        assertThatThrownBy(() -> call(forged, "POST", "/api/v1/networks", LAN.formatted("forgedlan", 314), null))
                .isInstanceOf(IOException.class);
        assertThat(networkExists("forgedlan")).isFalse();
    }

    @Test
    void withoutACertificateTheApiKeyDecidesAsOverHttp() throws Exception {
        SSLContext anonymous = TestTls.context(null, null, caCertificate());
        assertThat(call(anonymous, "GET", "/api/v1/networks", null, null).status()).isEqualTo(401);
        assertThat(call(anonymous, "GET", "/api/v1/networks", null, RestNode.READER).status()).isEqualTo(200);
        assertThat(call(anonymous, "POST", "/api/v1/networks", LAN.formatted("anonlan", 315), RestNode.READER).status()).isEqualTo(403);
        assertThat(networkExists("anonlan")).isFalse();
    }
}
