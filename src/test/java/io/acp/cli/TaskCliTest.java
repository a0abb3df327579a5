package io.acp.cli;

import static io.acp.cli.CliAgainstFakeNodeTest.args;
import static io.acp.cli.CliAgainstFakeNodeTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.FakeApiServer;
import io.acp.protocol.Request;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code acp task list} and {@code acp task show} against a stand-in node (as CliAgainstFakeNodeTest): what they send and print. */
class TaskCliTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    private static final String TASK = """
            {"id":"n1:1764583200123:7","op":"cluster.put","object":"system/web1","user":"ops","role":"operator","origin":"n2","node":"n1",
             "state":"failed","started":"2026-12-01T10:00:00.123Z","ended":"2026-12-01T10:00:01.456Z","durationMs":1333,
             "error":{"code":"conflict","message":"object system/web1 on node n1 is at version 5@n1, not 4@n1"},
             "changes":[{"path":"/vcpus","before":1,"after":2}]}
            """;

    @TempDir
    Path dir;

    private FakeApiServer node(JsonNode result) throws IOException {
        return FakeApiServer.unix(dir.resolve("api.sock"), FakeApiServer.result(result));
    }

    @Test
    void listSendsItsFiltersAndPrintsATable() throws Exception {
        try (FakeApiServer node = node(json("[" + TASK + "]"))) {
            LaunchResult result = launcher.launch(args(node, "task", "list", "--on", "n1", "--user", "ops", "--since", "2h", "--limit", "5"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream().get(0)).startsWith("ID").contains("STARTED", "OP", "OBJECT", "USER", "NODE", "STATE", "DURATION", "ERROR");
            assertThat(result.getOutputStream().get(1)).contains("n1:1764583200123:7", "2026-12-01T10:00:00Z", "cluster.put", "system/web1",
                    "ops (operator)", "failed", "1.3 s", "conflict");
            Request sent = node.received().get(0);
            assertThat(sent.service() + "." + sent.op()).isEqualTo("task.list");
            assertThat(sent.args()).isEqualTo(json("{\"limit\":5,\"node\":\"n1\",\"user\":\"ops\",\"since\":\"2h\"}"));
            assertThat(sent.node()).as("--on filters; it does not route").isNull();

            assertThat(json(launcher.launch(args(node, "task", "list", "--json")).getOutput())).isEqualTo(json("[" + TASK + "]"));
            assertThat(launcher.launch(args(node, "task", "list", "--limit", "0")).exitCode()).isEqualTo(ExitCodes.USAGE);
        }
        try (FakeApiServer none = node(json("[]"))) {
            assertThat(launcher.launch(args(none, "task", "list")).getOutput()).isEqualTo("no tasks");
        }
    }

    @Test
    void showPrintsWhoWhereOutcomeAndWhatChanged() throws Exception {
        try (FakeApiServer node = node(json(TASK))) {
            LaunchResult result = launcher.launch(args(node, "task", "show", "n1:1764583200123:7"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).contains("user            ops (operator)", "origin          n2", "node            n1",
                    "error           conflict: object system/web1 on node n1 is at version 5@n1, not 4@n1", "changed /vcpus  1 → 2");
            assertThat(node.received().get(0).args().path("id").asText()).isEqualTo("n1:1764583200123:7");
        }
    }

    @Test
    void aRunningTaskShowsHowFarItHasCome() throws Exception {
        String running = """
                {"id":"n1:1764583200123:8","op":"hypervisor.migrate","object":"system/web1","user":"ops","role":"operator","origin":"n1",
                 "node":"n1","state":"running","started":"2026-12-01T10:00:00.123Z","ended":null,
                 "progress":{"done":1073741824,"total":2147483648,"unit":"bytes","phase":"copying to node n2","percent":50}}
                """;
        try (FakeApiServer node = node(json("[" + running + "]"))) {
            LaunchResult result = launcher.launch(args(node, "task", "list"));
            assertThat(result.getOutputStream().get(0)).contains("PROGRESS");
            assertThat(result.getOutputStream().get(1)).contains("running", "50 % (1.00 GiB of 2.00 GiB) copying to node n2");
        }
        try (FakeApiServer node = node(json(running.replace("\"unit\":\"bytes\"", "\"unit\":\"steps\"")
                .replace("1073741824", "3").replace("2147483648", "4").replace("\"percent\":50", "\"percent\":75")))) {
            LaunchResult result = launcher.launch(args(node, "task", "show", "n1:1764583200123:8"));
            assertThat(result.getOutputStream()).contains("progress  75 % (3/4 steps) copying to node n2");
        }
    }
}
