package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI with no node to talk to: usage errors, argument checks, and the "not running" hint. */
class CliWithoutNodeTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    @TempDir
    Path dir;

    @Test
    void noCommandIsAUsageError() {
        LaunchResult result = launcher.launch();
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("missing a command").contains("Usage: acp");
    }

    @Test
    void missingTypeIsAUsageError() {
        LaunchResult result = launcher.launch("get");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("Missing required parameter: 'TYPE'");
    }

    @Test
    void unknownOptionIsAUsageError() {
        LaunchResult result = launcher.launch("status", "--no-such-option");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void badTcpAddressIsAUsageError() {
        LaunchResult result = launcher.launch("status", "--tcp", "localhost");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("'localhost' is not HOST:PORT");
    }

    @Test
    void anUnknownHistoryRangeIsAUsageError() {
        LaunchResult result = launcher.launch("stats", "node", "n1", "--history", "2h");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("--history: history range '2h' is not one of 1h, 1d, 30d");
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        LaunchResult result = launcher.launch("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.getOutput())
                .contains("node", "status", "services", "get", "put", "delete", "meta", "stats", "watch")
                .contains("Exit codes:")
                .contains("5   unavailable, timeout, or cannot connect to the node");
    }

    @Test
    void unknownTypeIsOneLineBadRequest() {
        LaunchResult result = launcher.launch("get", "gizmo", "--socket", dir.resolve("none.sock").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_REQUEST);
        assertThat(errorLines(result)).containsExactly(
                "acp: bad_request: unknown object type 'gizmo'; expected one of node, system, storage, network, service, alarm, security, task, template");
    }

    @Test
    void specThatIsNotJsonIsBadRequest() {
        LaunchResult result = launcher.launch("put", "network", "v1", "--subtype", "vlan", "--spec", "{vlan:",
                "--socket", dir.resolve("none.sock").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_REQUEST);
        assertThat(errorLines(result)).singleElement().asString().startsWith("acp: bad_request: the spec in --spec is not JSON");
    }

    @Test
    void specFromAMissingFileIsBadRequest() {
        Path missing = dir.resolve("spec.json");
        LaunchResult result = launcher.launch("put", "alarm", "a1", "--spec", "@" + missing, "--socket", dir.resolve("none.sock").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_REQUEST);
        assertThat(errorLines(result)).singleElement().asString().startsWith("acp: bad_request: cannot read the spec from " + missing);
    }

    @Test
    void noNodeOnTheSocketIsUnavailableWithAHint() {
        Path socket = dir.resolve("api.sock");
        LaunchResult result = launcher.launch("status", "--socket", socket.toString(), "--api-key", "k");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(errorLines(result)).singleElement().asString()
                .startsWith("acp: unavailable: cannot reach the node's API at unix:" + socket + ": ")
                .endsWith("(is the node running? start it with 'acp node run')");
        assertThat(Files.exists(socket)).as("a client command starts no services").isFalse();
    }

    @Test
    void noNodeOnTheTcpPortIsUnavailable() throws Exception {
        int freePort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        LaunchResult result = launcher.launch("services", "--tcp", "127.0.0.1:" + freePort, "--api-key", "k");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(errorLines(result)).singleElement().asString()
                .startsWith("acp: unavailable: cannot reach the node's API at tcp:127.0.0.1:" + freePort + ": ");
    }

    /** stderr without log lines (a test run logs to the console too). */
    static java.util.List<String> errorLines(LaunchResult result) {
        return result.getErrorStream().stream().filter(l -> l.startsWith("acp: ")).toList();
    }
}
