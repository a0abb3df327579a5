package io.acp.cli;

import static io.acp.cli.CliAgainstFakeNodeTest.args;
import static io.acp.cli.CliAgainstFakeNodeTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.FakeApiServer;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code acp health}, {@code acp alarms}, {@code acp alarm ack} against a stand-in node (as CliAgainstFakeNodeTest): what they send and print. */
class HealthAndAlarmsCliTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    private static final String HEALTH = """
            {"primary":"n1","term":3,"score":70,"nodes":{"n1":100,"n2":85,"n3":85},
             "hits":[{"rule":"poolFull","severity":"critical","points":15,"subject":"storage/p1","node":"n2","message":"pool p1 is full on node n2 (97 % used)","alarm":"poolFull:storage:p1:n2"},
                     {"rule":"deviceGone","severity":"major","points":15,"subject":"storage/sdb","node":"n3","message":"device sdb is gone on node n3","alarm":"deviceGone:storage:sdb:n3"}],
             "at":"2026-11-24T10:00:00.123Z"}
            """;
    private static final String ALARMS = """
            [{"id":"poolFull:storage:p1:n2","rule":"poolFull","severity":"critical","subject":"storage/p1","node":"n2","message":"pool p1 is full on node n2",
              "state":"acknowledged","firstSeen":"2026-11-24T10:00:00Z","lastSeen":"2026-11-24T10:05:00Z","ackedBy":"ops"}]
            """;

    @TempDir
    Path dir;

    private FakeApiServer node(JsonNode result) throws IOException {
        return FakeApiServer.unix(dir.resolve("api.sock"), FakeApiServer.result(result));
    }

    @Test
    void healthPrintsScoreNodesAndHits() throws Exception {
        try (FakeApiServer node = node(json(HEALTH))) {
            LaunchResult result = launcher.launch(args(node, "health"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).startsWith(
                    "cluster health 70/100 (primary monitor n1, term 3, at 2026-11-24T10:00:00Z)",
                    "NODE  HEALTH",
                    "n1    100",
                    "n2    85",
                    "n3    85");
            assertThat(result.getOutput()).contains("poolFull    -15     critical  storage/p1   n2    pool p1 is full on node n2 (97 % used)");
            Request sent = node.received().get(0);
            assertThat(sent.service() + "." + sent.op()).isEqualTo("monitor.health");

            LaunchResult asJson = launcher.launch(args(node, "health", "--json"));
            assertThat(json(asJson.getOutput())).isEqualTo(json(HEALTH));
        }
    }

    @Test
    void alarmsSendsAllAndPrintsATable() throws Exception {
        try (FakeApiServer node = node(json(ALARMS))) {
            LaunchResult result = launcher.launch(args(node, "alarms", "--all"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).hasSize(2);
            assertThat(result.getOutputStream().get(0)).startsWith("ID").contains("SEVERITY", "STATE", "SUBJECT", "FIRST SEEN");
            assertThat(result.getOutputStream().get(1)).contains("poolFull:storage:p1:n2", "critical", "acknowledged by ops", "2026-11-24T10:00:00Z");
            assertThat(node.received().get(0).args().path("all").asBoolean()).isTrue();

            launcher.launch(args(node, "alarms"));
            assertThat(node.received().get(1).args().path("all").asBoolean()).isFalse();
        }
        try (FakeApiServer none = node(Json.MAPPER.createArrayNode())) {
            assertThat(launcher.launch(args(none, "alarms")).getOutput()).isEqualTo("no alarms");
        }
    }

    @Test
    void alarmAckSendsTheIdAndMapsErrors() throws Exception {
        try (FakeApiServer node = node(json(ALARMS).get(0))) {
            LaunchResult result = launcher.launch(args(node, "alarm", "ack", "poolFull:storage:p1:n2"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutput()).isEqualTo("alarm poolFull:storage:p1:n2: acknowledged by ops");
            Request sent = node.received().get(0);
            assertThat(sent.service() + "." + sent.op()).isEqualTo("monitor.ack");
            assertThat(sent.args().path("id").asText()).isEqualTo("poolFull:storage:p1:n2");
        }
        try (FakeApiServer node = FakeApiServer.unix(dir.resolve("api2.sock"),
                r -> List.of(new Response.Failure(r.id(), ErrorCode.CONFLICT, "alarm x was cleared at 2026-11-24T10:00:00Z"))) ) {
            LaunchResult result = launcher.launch(args(node, "alarm", "ack", "x"));
            assertThat(result.exitCode()).isEqualTo(6);
            assertThat(CliWithoutNodeTest.errorLines(result)).containsExactly("acp: conflict: alarm x was cleared at 2026-11-24T10:00:00Z");
        }
        assertThat(launcher.launch("alarm").exitCode()).as("no subcommand: usage error").isEqualTo(2);
    }
}
