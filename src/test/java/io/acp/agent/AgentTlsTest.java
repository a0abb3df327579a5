package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.security.CertificateAuthority;
import io.acp.security.ClusterPki;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent on a real TLS port: who gets in, who is refused and how, and what the log says. */
class AgentTlsTest extends WithVertx {

    @TempDir
    Path dir;

    AgentStack node;
    PkiFiles pki;
    final List<String> log = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            Object[] p = r.getParameters();
            log.add(p == null || p.length == 0 ? r.getMessage() : String.format(r.getMessage(), p));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Other tests in this JVM (the CLI's) may have raised log levels: capture at INFO whatever they did. */
    private static final List<String> CAPTURED = List.of("io.acp.agent", "io.acp.security", "io.acp.api");
    private final java.util.Map<String, java.util.logging.Level> levels = new java.util.HashMap<>();

    @BeforeEach
    void startNode() throws IOException {
        for (String name : CAPTURED) {
            Logger l = Logger.getLogger(name);
            levels.put(name, l.getLevel());
            l.setLevel(java.util.logging.Level.INFO);
            l.addHandler(capture);
        }
        node = AgentStack.start(vertx, "a", dir.resolve("a"));
        pki = node.pki();
    }

    @AfterEach
    void stopNode() {
        node.close();
        for (String name : CAPTURED) {
            Logger l = Logger.getLogger(name);
            l.removeHandler(capture);
            l.setLevel(levels.get(name));
        }
    }

    @Test
    void firstStartMakesASingleNodeClusterWithPrivateFiles() throws IOException {
        for (Path p : List.of(pki.caCertificate(), pki.caKey(), pki.nodeCertificate(), pki.nodeKey(), pki.clusterSecret())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.dir()))).isEqualTo("rwx------");
        assertThat(log).anyMatch(l -> l.contains("created a single-node cluster"));
        assertThat(node.agent.nodeMeta()).containsEntry("agent", "127.0.0.1:" + node.agentPort());
    }

    @Test
    void theNodeCertificateAndAnApiKeyGetIn() throws Exception {
        try (TlsTestClient c = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate())) {
            Response r = c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
            assertThat(r).isInstanceOf(Response.Result.class);
            assertThat(((Response.Result) r).result().path("node").asText()).isEqualTo("a");
            ObjectNode put = Json.object().put("type", "network").put("subtype", "vlan").put("id", "v1");
            put.set("spec", Json.object().put("uplink", "eth0").put("vlan", 1));
            assertThat(c.call(null, "cluster", "put", put, null)).isInstanceOf(Response.Result.class);
        }
        assertThat(io.acp.testing.CdbContents.objectsBesideTasks(node.cdb)).isEqualTo(1);
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        PkiFiles other = PkiFiles.in(dir.resolve("other"));
        ClusterPki.init(other, "a", "other", Duration.ofDays(30)); // same node id, wrong CA
        assertRefused(() -> TlsTestClient.connect(node.agentPort(), other.nodeKey(), other.nodeCertificate(), pki.caCertificate()));
        assertThat(log).anyMatch(l -> l.contains("agent of node a refused a connection"));
        stillServes();
    }

    @Test
    void noClientCertificateIsRefused() throws Exception {
        assertRefused(() -> TlsTestClient.connect(node.agentPort(), null, null, pki.caCertificate()));
        stillServes();
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        CertificateAuthority ca = ClusterPki.loadAuthority(pki);
        KeyPair pair = CertificateAuthority.newKeyPair();
        Instant now = Instant.now();
        X509Certificate expired = ca.issueNode("old", pair.getPublic(), now.minus(Duration.ofDays(100)), now.minus(Duration.ofDays(1)));
        Path key = dir.resolve("old.key");
        Path cert = dir.resolve("old.crt");
        Files.writeString(key, Pem.encode(pair.getPrivate()));
        Files.writeString(cert, Pem.encode(expired));
        assertRefused(() -> TlsTestClient.connect(node.agentPort(), key, cert, pki.caCertificate()));
        stillServes();
    }

    @Test
    void tls11And10HellosGetNoServerHello() throws Exception {
        for (int minor : new int[] {1, 2}) { // TLS 1.0 is 3.1, TLS 1.1 is 3.2
            try (Socket s = new Socket("127.0.0.1", node.agentPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(LegacyHello.clientHello(minor));
                s.getOutputStream().flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int type = in.read();
                // 21 = alert; -1 = closed. 22 would be a ServerHello: the old protocol accepted.
                assertThat(type).as("first byte of the answer to a TLS 1.%d hello", minor - 1).isIn(21, -1);
            }
        }
        stillServes();
    }

    @Test
    void tls12IsRefusedUnlessConfigured() throws Exception {
        assertRefused(() -> TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate(), "TLSv1.2"));
        try (AgentStack with12 = AgentStack.start(vertx, "b", dir.resolve("b"), AgentStack.config(List.of("TLSv1.3", "TLSv1.2")))) {
            PkiFiles b = with12.pki();
            try (TlsTestClient c = TlsTestClient.connect(with12.agentPort(), b.nodeKey(), b.nodeCertificate(), b.caCertificate(), "TLSv1.2")) {
                assertThat(c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
            }
        }
    }

    @Test
    void unknownTlsProtocolInConfigurationIsRefusedAtStart() {
        assertThatThrownBy(() -> AgentStack.start(vertx, "c", dir.resolve("c"), AgentStack.config(List.of("TLSv1.1"))))
                .hasMessageContaining("acp.agent.tls-protocols")
                .hasMessageContaining("TLSv1.1");
    }

    @Test
    void wrongApiKeyAndReadOnlyWritesAreRefusedWithoutLeakingKeys() throws Exception {
        String wrong = "acp_not-a-key-of-this-node";
        try (TlsTestClient c = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate())) {
            Response r = c.call(null, "api", "ping", null, wrong);
            assertThat(r).isInstanceOf(Response.Failure.class);
            assertThat(((Response.Failure) r).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            ObjectNode put = Json.object().put("type", "network").put("id", "v1");
            put.set("spec", Json.object());
            Response w = c.call(null, "cluster", "put", put, AgentStack.READER_KEY);
            assertThat(w).isInstanceOf(Response.Failure.class);
            assertThat(((Response.Failure) w).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(((Response.Failure) w).message()).contains("read-only");
        }
        assertThat(node.cdb.objectCount()).isZero();
        assertThat(String.join("\n", log)).doesNotContain(wrong).doesNotContain(AgentStack.READER_KEY).doesNotContain(AgentStack.ADMIN_KEY);
    }

    private void stillServes() throws Exception {
        try (TlsTestClient c = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate())) {
            assertThat(c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
        }
    }

    interface Connect {
        TlsTestClient open() throws Exception;
    }

    /**
     * Refused during the handshake, or (TLS 1.3: the server checks the client's certificate after
     * the client finished) on the first read; never answered.
     */
    private static void assertRefused(Connect connect) {
        assertThatThrownBy(() -> {
            try (TlsTestClient c = connect.open()) {
                c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
            }
        }).isInstanceOfAny(SSLException.class, java.io.EOFException.class, java.net.SocketException.class);
    }

    /** Hand-made ClientHellos of old TLS versions: the JDK will not even send them. */
    static final class LegacyHello {

        static byte[] clientHello(int minor) {
            byte[] suites = {0x00, 0x2f, 0x00, 0x35, (byte) 0xc0, 0x13, (byte) 0xc0, 0x14};
            int bodyLen = 2 + 32 + 1 + 2 + suites.length + 2;
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(5 + 4 + bodyLen);
            b.put((byte) 22).put((byte) 3).put((byte) minor).putShort((short) (4 + bodyLen));
            b.put((byte) 1).put((byte) 0).putShort((short) bodyLen);
            b.put((byte) 3).put((byte) minor);
            b.put("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            b.put((byte) 0);
            b.putShort((short) suites.length).put(suites);
            b.put((byte) 1).put((byte) 0);
            return b.array();
        }
    }
}
