package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.FakeApiServer;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI behaviours of issue 17 against a stand-in node on a real Unix socket: readable tables
 * with units, integers in --json, not_found for stats and meta of unknown objects, the history
 * table, usage errors that say what is wrong, typo suggestions, and which node --node names.
 */
class CliPolishTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    private static final String POOL_STATS = """
            [{"kind":"stats","type":"storage","id":"p1","node":"n1","time":1764010000000,
              "values":{"capacity":2.70553174016E11,"free":1.0E9,"usedPercent":37.5,"volumes":3.0},"version":"1@n1"}]
            """;

    @TempDir
    Path dir;

    private FakeApiServer node(Function<Request, List<Object>> answers) throws IOException {
        return FakeApiServer.unix(dir.resolve("api.sock"), answers);
    }

    private static JsonNode json(String s) {
        return CliAgainstFakeNodeTest.json(s);
    }

    @Test
    void jsonPrintsWholeNumbersAsIntegersAndTablesUseHumanSizes() throws Exception {
        try (FakeApiServer node = node(FakeApiServer.result(json(POOL_STATS)))) {
            LaunchResult raw = launcher.launch(CliAgainstFakeNodeTest.args(node, "stats", "storage", "p1", "--json"));
            assertThat(raw.exitCode()).isZero();
            assertThat(raw.getOutput()).contains("\"capacity\":270553174016").contains("\"usedPercent\":37.5").doesNotContain("E11");

            LaunchResult people = launcher.launch(CliAgainstFakeNodeTest.args(node, "stats", "storage", "p1"));
            assertThat(people.getOutputStream()).containsExactly(
                    "NODE  METRIC       VALUE    TIME",
                    "n1    capacity     252 GiB  2025-11-24T18:46:40Z",
                    "      free         954 MiB",
                    "      usedPercent  38 %",
                    "      volumes      3");
        }
    }

    @Test
    void metaIsOneRowPerFieldWithNestedFieldsDotted() throws Exception {
        JsonNode meta = json("""
                [{"kind":"meta","type":"storage","id":"p1","node":"n1","values":{"state":"ok","usage":{"size":1073741824,"mounted":true}},"version":"1@n1"}]
                """);
        try (FakeApiServer node = node(FakeApiServer.result(meta))) {
            LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, "meta", "storage", "p1"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).containsExactly(
                    "NODE  FIELD          VALUE",
                    "n1    state          ok",
                    "      usage.mounted  true",
                    "      usage.size     1.00 GiB");
        }
    }

    @Test
    void statsAndMetaOfAnUnknownObjectAreNotFoundLikeGet() throws Exception {
        try (FakeApiServer node = node(r -> r.op().equals("get")
                ? List.of(new Response.Failure(r.id(), ErrorCode.NOT_FOUND, "object system/nope"))
                : List.of(new Response.Result(r.id(), json("[]"))))) {
            for (String command : List.of("stats", "meta")) {
                LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, command, "system", "nope"));
                assertThat(result.exitCode()).as(command).isEqualTo(ExitCodes.NOT_FOUND);
                assertThat(CliWithoutNodeTest.errorLines(result)).as(command)
                        .containsExactly("acp: not_found: no object system/nope and no node reports " + command + " about it");
                assertThat(result.getOutput()).isEmpty();
            }
        }
    }

    @Test
    void anObjectWithoutReportsYetIsAnEmptyTableNotAnError() throws Exception {
        try (FakeApiServer node = node(r -> List.of(new Response.Result(r.id(), r.op().equals("get")
                ? json("{\"kind\":\"object\",\"type\":\"system\",\"id\":\"web1\",\"spec\":{},\"deleted\":false,\"version\":\"1@n1\"}")
                : json("[]"))))) {
            LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, "stats", "system", "web1"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).containsExactly("NODE  METRIC  VALUE  TIME");
        }
    }

    @Test
    void historyAsksTheReportingNodeForARangeAndPrintsOneRowPerStep() throws Exception {
        JsonNode history = json("""
                {"type":"system","id":"web1","node":"n2","range":"1d","stepMillis":60000,"from":1764000000000,"to":1764086400000,
                 "series":[{"metric":"cpu","points":[[1764010000000,0.25],[1764010060000,0.5]]},
                           {"metric":"memory","points":[[1764010060000,134217728]]}]}
                """);
        try (FakeApiServer node = node(FakeApiServer.result(history))) {
            LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, "stats", "system", "web1", "--history", "1d", "--from", "n2",
                    "--metric", "cpu,memory"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).containsExactly(
                    "system/web1 as node n2 reported it, last 1d at 1m0s steps (averages): 2 steps with samples",
                    "TIME                  cpu   memory",
                    "2025-11-24T18:46:40Z  25 %  -",
                    "2025-11-24T18:47:40Z  50 %  128 MiB");
            Request sent = node.received().get(0);
            assertThat(sent.service() + "." + sent.op()).isEqualTo("cluster.history");
            assertThat(sent.node()).as("history is kept by the node that reported it").isEqualTo("n2");
            assertThat(sent.args()).isEqualTo(json("{\"type\":\"system\",\"id\":\"web1\",\"range\":\"1d\",\"metrics\":[\"cpu\",\"memory\"]}"));
        }
    }

    @Test
    void nodeAfterStatsMeansWhatTheGlobalNodeMeansAndFromFiltersReporters() throws Exception {
        try (FakeApiServer node = node(FakeApiServer.result(json(POOL_STATS)))) {
            launcher.launch(CliAgainstFakeNodeTest.args(node, "stats", "storage", "p1", "--node", "n2"));
            launcher.launch(CliAgainstFakeNodeTest.args(node, "--node", "n2", "stats", "storage", "p1"));
            launcher.launch(CliAgainstFakeNodeTest.args(node, "meta", "storage", "p1", "--node", "n2", "--from", "n1"));
            List<Request> sent = node.received();
            assertThat(sent.get(0).node()).isEqualTo("n2");
            assertThat(sent.get(0).args().has("node")).isFalse();
            assertThat(sent.get(1).node()).isEqualTo("n2");
            assertThat(sent.get(1).args()).isEqualTo(sent.get(0).args());
            assertThat(sent.get(2).node()).isEqualTo("n2");
            assertThat(sent.get(2).args().path("node").asText()).isEqualTo("n1");
        }
    }

    @Test
    void aZeroMemoryIsAnInvalidValueNotAMissingOption() {
        LaunchResult result = launcher.launch("system", "create", "web1", "--vcpus", "1", "--memory", "0", "--socket", dir.resolve("none.sock").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("invalid value for option '--memory': 0").doesNotContain("at least --vcpus and --memory");
        result = launcher.launch("system", "create", "web1", "--vcpus", "0", "--memory", "64", "--socket", dir.resolve("none.sock").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("invalid value for option '--vcpus': 0");
    }

    @Test
    void aCommandsUsageErrorIsTheErrorAndWhereToReadTheOptionsNotTheWholeHelp() {
        LaunchResult result = launcher.launch("system", "create", "web1", "--vcpus", "0", "--memory", "64", "--socket", dir.resolve("none.sock").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorStream()).containsExactly(
                "acp: invalid value for option '--vcpus': 0 (a system needs at least 1 virtual CPU)",
                "See 'acp system create --help' for its options.");
        result = launcher.launch("system", "create", "web1", "--memroy", "64");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorStream()).as("picocli's suggestion for a mistyped option stays").containsExactly(
                "acp: Unknown options: '--memroy', '64'",
                "Possible solutions: --memory",
                "See 'acp system create --help' for its options.");
        result = launcher.launch("system");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).as("a command group still lists its commands").contains("Usage: acp system").contains("Commands:");
    }

    @Test
    void aMistypedCommandSuggestsTheClosestOne() {
        LaunchResult result = launcher.launch("system", "lsit");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliWithoutNodeTest.errorLines(result)).containsExactly("acp: 'lsit' is not a command of 'acp system'; did you mean 'acp system list'?");
        result = launcher.launch("stauts");
        assertThat(CliWithoutNodeTest.errorLines(result)).containsExactly("acp: 'stauts' is not a command of 'acp'; did you mean 'acp status'?");
        result = launcher.launch("system", "frobnicate");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.getErrorOutput()).contains("Unmatched argument at index 1: 'frobnicate'").doesNotContain("did you mean");
    }

    @Test
    void systemShowWatchPrintsTheSystemAgainAtEachChangeAndEndsWhenItIsDeleted() throws Exception {
        JsonNode running = json("""
                {"id":"web1","object":{"kind":"object","type":"system","id":"web1","spec":{"vcpus":2,"memory":1024},"deleted":false,"version":"1@n1"},
                 "meta":{"state":"running","loaded":true,"node":"n1","since":"2026-11-24T10:00:00Z"}}
                """);
        JsonNode stateChanged = json("{\"kind\":\"meta\",\"type\":\"system\",\"id\":\"web1\",\"node\":\"n1\",\"values\":{\"state\":\"stopped\"},\"version\":\"2@n1\"}");
        JsonNode deleted = json("{\"kind\":\"object\",\"type\":\"system\",\"id\":\"web1\",\"spec\":{},\"deleted\":true,\"version\":\"3@n1\"}");
        try (FakeApiServer node = node(r -> r.op().equals("watch")
                ? List.of(new Response.Result(r.id(), io.acp.model.Json.object().put("stream", r.id())),
                        new Response.Event(r.id(), stateChanged), new Response.Event(r.id(), deleted), new Response.End(r.id()))
                : List.of(new Response.Result(r.id(), running)))) {
            LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, "system", "show", "web1", "--watch"));
            assertThat(result.exitCode()).isZero();
            List<String> out = result.getOutputStream();
            assertThat(out.stream().filter(l -> l.matches("memory +1\\.00 GiB"))).as("%s", out).hasSize(2);
            assertThat(out).anySatisfy(l -> assertThat(l).matches("-- .* meta changed on n1"));
            assertThat(out.get(out.size() - 1)).isEqualTo("system web1 deleted");
            Request watch = node.received().stream().filter(r -> r.op().equals("watch")).findFirst().orElseThrow();
            assertThat(watch.args()).isEqualTo(json("{\"type\":\"system\",\"id\":\"web1\",\"kinds\":[\"object\",\"meta\"]}"));
        }
    }
}
