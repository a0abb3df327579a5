package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.FakeApiServer;
import io.acp.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client command run straight from {@code main}, without the application, against a stand-in
 * node on a real Unix socket; and the commands it hands back to the application.
 */
class ClientLauncherTest {

    @TempDir
    Path dir;

    private final PrintStream stdout = System.out;
    private final PrintStream stderr = System.err;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        System.setErr(stderr);
    }

    @Test
    void statusRunsWithoutTheApplication() throws Exception {
        JsonNode status = Json.MAPPER.readTree("{\"node\":\"n1\",\"version\":\"0.1.0\",\"objects\":2,\"services\":[]}");
        try (FakeApiServer node = FakeApiServer.unix(dir.resolve("api.sock"), FakeApiServer.result(status))) {
            OptionalInt code = ClientLauncher.run(CliAgainstFakeNodeTest.args(node, "status", "--json"));
            assertThat(code).hasValue(ExitCodes.OK);
            assertThat(Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8))).isEqualTo(status);
            assertThat(node.received().get(0).key()).isEqualTo("test-key");
        }
    }

    @Test
    void theAdminKeyComesFromTheConfiguredDataDirectory() throws Exception {
        Path data = dir.resolve("data");
        java.nio.file.Files.createDirectories(data);
        java.nio.file.Files.writeString(data.resolve("admin.key"), "key-from-file\n");
        JsonNode status = Json.MAPPER.readTree("{\"node\":\"n1\",\"services\":[]}");
        System.setProperty(ClientConfiguration.DATA_DIR, data.toString());
        try (FakeApiServer node = FakeApiServer.unix(dir.resolve("api.sock"), FakeApiServer.result(status))) {
            String socket = ((io.acp.api.client.ApiEndpoint.Unix) node.endpoint()).socket().toString();
            assertThat(ClientLauncher.run("status", "--json", "--socket", socket)).hasValue(ExitCodes.OK);
            assertThat(node.received().get(0).key()).isEqualTo("key-from-file");
        } finally {
            System.clearProperty(ClientConfiguration.DATA_DIR);
        }
    }

    @Test
    void noNodeIsUnavailableAsInTheApplication() {
        Path socket = dir.resolve("none.sock");
        assertThat(ClientLauncher.run("status", "--socket", socket.toString(), "--api-key", "k")).hasValue(ExitCodes.UNAVAILABLE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("acp: unavailable: cannot reach the node's API at unix:" + socket + ": ");
    }

    @Test
    void usageErrorsAndHelpAreAnsweredHere() {
        assertThat(ClientLauncher.run("statsu")).hasValue(ExitCodes.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("did you mean 'acp status'?");
        assertThat(ClientLauncher.run("cluster", "init", "--help")).hasValue(ExitCodes.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: acp cluster init");
    }

    @Test
    void aSettingItCannotReadGoesToTheApplicationWhichReportsIt() {
        System.setProperty(ClientConfiguration.SOCKET, "");
        try {
            assertThat(ClientLauncher.run("status", "--api-key", "k")).isEmpty();
            assertThat(out.size() + err.size()).isZero();
        } finally {
            System.clearProperty(ClientConfiguration.SOCKET);
        }
    }

    @Test
    void commandsWithBeansGoToTheApplication() {
        assertThat(ClientLauncher.run("cluster", "init", "--name", "c1")).isEmpty();
        assertThat(ClientLauncher.run("node", "join", "--token", "t")).isEmpty();
        assertThat(out.size() + err.size()).as("nothing printed before the application runs it").isZero();
    }

    @Test
    void theVersionIsAnsweredWithoutTheApplication() throws Exception {
        // the project's version, which Quarkus also gives as quarkus.application.version
        Matcher pom = Pattern.compile("<artifactId>acp</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
        assertThat(pom.find()).isTrue();
        String expected = "acp " + pom.group(1) + System.lineSeparator();
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"-V"}, new String[] {"status", "-V"}, new String[] {"cluster", "init", "--version"})) {
            out.reset();
            assertThat(ClientLauncher.run(args)).as(String.join(" ", args)).hasValue(ExitCodes.OK);
            assertThat(out.toString(StandardCharsets.UTF_8)).as(String.join(" ", args)).isEqualTo(expected);
        }
        assertThat(err.size()).isZero();
    }
}
