package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiEndpoint;
import io.acp.api.client.FakeApiServer;
import io.acp.model.Json;
import io.acp.protocol.Request;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code acp cluster init / add-node} on real files, and {@code acp --node} in the envelope: the
 * commands run in one application ({@link InApplicationCli}), as {@code acp} runs them once booted.
 */
@QuarkusTest
@TestProfile(CliClusterAndRoutingTest.DataDir.class)
class CliClusterAndRoutingTest {

    static final Path DATA = Path.of("target/cli-cluster-test/data");

    public static class DataDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("acp.node.data-dir", DATA.toString(), "acp.node.id", "c1");
        }
    }

    @TempDir
    Path dir;

    @Inject
    CommandLine.IFactory factory;

    QuarkusMainLauncher launcher;

    @BeforeEach
    void emptyDataDir() throws IOException {
        launcher = new InApplicationCli(factory);
        if (Files.exists(DATA.getParent())) {
            try (Stream<Path> all = Files.walk(DATA.getParent())) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aValidityOutOfRangeIsAUsageErrorBeforeAnythingIsWritten() {
        for (String[] args : new String[][] {
                {"cluster", "init", "--validity-days", "400"},
                {"cluster", "renew-cert", "--validity-days", "0"},
                {"cluster", "add-node", "c9", "--out", "/nonexistent/never-written", "--validity-days", "366"}}) {
            LaunchResult r = launcher.launch(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
            assertThat(r.getErrorOutput()).contains("--validity-days must be 1 to 365");
        }
    }

    @Test
    void initCreatesTheClusterOnceAndAnAdminKey() throws Exception {
        LaunchResult first = launcher.launch("cluster", "init", "--name", "lab");
        assertThat(first.exitCode()).as(first.getErrorOutput()).isZero();
        assertThat(first.getOutput()).contains("cluster created on node c1");
        PkiFiles pki = PkiFiles.in(DATA.toAbsolutePath());
        assertThat(ClusterPki.checkNodeCertificate(pki, "c1")).isNotNull();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DATA.resolve("admin.key")))).isEqualTo("rw-------");
        assertThat(first.getOutput()).doesNotContain(Files.readString(DATA.resolve("admin.key")).strip());

        LaunchResult second = launcher.launch("cluster", "init");
        assertThat(second.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(second.getErrorOutput()).contains("already has a cluster CA");

        LaunchResult add = launcher.launch("cluster", "add-node", "c2", "--out", dir.toString());
        assertThat(add.exitCode()).as(add.getErrorOutput()).isZero();
        assertThat(ClusterPki.checkNodeCertificate(PkiFiles.in(dir), "c2")).isNotNull();
        assertThat(PkiFiles.in(dir).caKey()).doesNotExist();

        Path bundle = dir.resolve("alice");
        LaunchResult operator = launcher.launch("cluster", "add-operator", "alice", "--role", "read-only", "--out", bundle.toString());
        assertThat(operator.exitCode()).as(operator.getErrorOutput()).isZero();
        try (var files = Files.list(bundle)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("operator.key", "operator.crt", "ca.crt");
        }
        java.security.cert.X509Certificate cert = io.acp.security.Pem.readCertificate(bundle.resolve("operator.crt"));
        assertThat(io.acp.security.NodeCertificates.operatorRole(cert)).isEqualTo("read-only");
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        LaunchResult badRole = launcher.launch("cluster", "add-operator", "bob", "--role", "root", "--out", dir.resolve("bob").toString());
        assertThat(badRole.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badRole.getErrorOutput()).contains("unknown role 'root'");
    }

    @Test
    void joinTokenIsPrintedOnTheCaNodeAndABadTokenIsRefused() throws Exception {
        LaunchResult none = launcher.launch("cluster", "join-token", "--node", "c2");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(none.getErrorOutput()).contains("holds no CA key");
        LaunchResult revokeWithoutCa = launcher.launch("cluster", "revoke", "c2");
        assertThat(revokeWithoutCa.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(revokeWithoutCa.getErrorOutput()).contains("holds no CA key");
        LaunchResult badTarget = launcher.launch("cluster", "revoke", "not/a/name");
        assertThat(badTarget.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badTarget.getErrorOutput()).contains("TARGET must be a node or operator name or serial:HEX");

        assertThat(launcher.launch("cluster", "init").exitCode()).isZero();
        LaunchResult unbound = launcher.launch("cluster", "join-token");
        assertThat(unbound.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unbound.getErrorOutput()).contains("--node");
        LaunchResult badFrom = launcher.launch("cluster", "join-token", "--node", "c2", "--from", "somehost");
        assertThat(badFrom.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badFrom.getErrorOutput()).contains("--from takes IP addresses");
        LaunchResult issued = launcher.launch("cluster", "join-token", "--node", "c2", "--from", "10.0.0.2", "--ttl", "2h",
                "--address", "127.0.0.1:7442");
        assertThat(issued.exitCode()).as(issued.getErrorOutput()).isZero();
        io.acp.security.JoinToken token = io.acp.security.JoinToken.parse(issued.getOutput().strip());
        assertThat(token.addresses()).containsExactly("127.0.0.1:7442");
        assertThat(token.node()).isEqualTo("c2");
        assertThat(token.issuer()).isEqualTo("c1");
        assertThat(Files.readString(DATA.resolve("pki/join-tokens"))).contains(" unused c2 0 10.0.0.2");
        assertThat(token.expires()).isBetween(java.time.Instant.now().plusSeconds(7000), java.time.Instant.now().plusSeconds(7300));
        assertThat(Files.readString(DATA.resolve("pki/join-tokens"))).doesNotContain(token.secret());

        java.math.BigInteger before = io.acp.security.Pem.readCertificate(PkiFiles.in(DATA.toAbsolutePath()).nodeCertificate()).getSerialNumber();
        LaunchResult renewed = launcher.launch("cluster", "renew-cert");
        assertThat(renewed.exitCode()).as(renewed.getErrorOutput()).isZero();
        assertThat(ClusterPki.checkNodeCertificate(PkiFiles.in(DATA.toAbsolutePath()), "c1").getSerialNumber()).isNotEqualTo(before);

        LaunchResult tooLong = launcher.launch("cluster", "join-token", "--node", "c2", "--ttl", "25h");
        assertThat(tooLong.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(tooLong.getErrorOutput()).contains("at most 24h");

        LaunchResult garbage = launcher.launch("node", "join", "--token", "not-a-token");
        assertThat(garbage.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(garbage.getErrorOutput()).contains("not an acp join token");
    }

    @Test
    void globalNodeOptionSetsTheEnvelopesNode() throws Exception {
        JsonNode status = Json.MAPPER.readTree("{\"node\":\"n2\",\"version\":\"0\",\"startedAt\":null,\"uptimeMs\":1,\"objects\":0,\"services\":[]}");
        try (FakeApiServer node = FakeApiServer.unix(dir.resolve("api.sock"), FakeApiServer.result(status))) {
            String socket = ((ApiEndpoint.Unix) node.endpoint()).socket().toString();
            LaunchResult result = launcher.launch("--node", "n2", "status", "--json", "--socket", socket, "--api-key", "k");
            assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
            Request sent = node.received().get(0);
            assertThat(sent.node()).isEqualTo("n2");
            LaunchResult local = launcher.launch("status", "--json", "--socket", socket, "--api-key", "k");
            assertThat(local.exitCode()).isZero();
            assertThat(node.received().get(1).node()).isNull();
        }
    }
}
