package io.acp.cli;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a stand-in node on a real Unix socket: what it sends, how it prints, and how
 * the node's error codes become exit codes. The real node is driven in io.acp.it.
 */
class CliAgainstFakeNodeTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    private static final String STATUS = """
            {"node":"n1","version":"0.1.0","startedAt":"2026-11-24T10:00:00Z","uptimeMs":3723000,"objects":2,"readiness":"syncing",
             "services":[{"name":"framework","state":"running","healthy":true,"detail":"ok","since":"2026-11-24T10:00:00Z","restarts":0,"lastError":null,"dependencies":[]},
                         {"name":"api","state":"failed","healthy":false,"detail":"socket gone","since":"2026-11-24T10:01:00Z","restarts":2,"lastError":"bind failed","dependencies":["cluster"]}]}
            """;
    private static final String LIST = """
            [{"kind":"object","type":"network","subtype":"vlan","id":"v100","spec":{"vlan":100},"deleted":false,"version":"18c2f3a1b2c40000@n1"},
             {"kind":"object","type":"network","subtype":"trunk","id":"uplink-long-name","spec":{},"deleted":false,"version":"18c2f3a1b2c40001@n2"}]
            """;

    @TempDir
    Path dir;

    static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private FakeApiServer node(Function<Request, List<Object>> answers) throws IOException {
        return FakeApiServer.unix(dir.resolve("api.sock"), answers);
    }

    static String[] args(FakeApiServer node, String... command) {
        String[] all = new String[command.length + 4];
        System.arraycopy(command, 0, all, 0, command.length);
        all[command.length] = "--socket";
        all[command.length + 1] = ((io.acp.api.client.ApiEndpoint.Unix) node.endpoint()).socket().toString();
        all[command.length + 2] = "--api-key";
        all[command.length + 3] = "test-key";
        return all;
    }

    @Test
    void statusJsonIsTheRawResult() throws Exception {
        try (FakeApiServer node = node(FakeApiServer.result(json(STATUS)))) {
            LaunchResult result = launcher.launch(args(node, "status", "--json"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).hasSize(1);
            assertThat(json(result.getOutput())).isEqualTo(json(STATUS));
            Request sent = node.received().get(0);
            assertThat(sent.service() + "." + sent.op()).isEqualTo("framework.status");
            assertThat(sent.key()).isEqualTo("test-key");
        }
    }

    @Test
    void statusForPeopleIsTables() throws Exception {
        try (FakeApiServer node = node(FakeApiServer.result(json(STATUS)))) {
            LaunchResult result = launcher.launch(args(node, "status"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).containsExactly(
                    "NODE  VERSION  STARTED               UPTIME  OBJECTS  CDB      SCHEDULABLE",
                    "n1    0.1.0    2026-11-24T10:00:00Z  1h2m    2        syncing  -",
                    "",
                    "NAME       STATE    HEALTH                  SINCE                 RESTARTS",
                    "framework  running  ok                      2026-11-24T10:00:00Z  0",
                    "api        failed   unhealthy: socket gone  2026-11-24T10:01:00Z  2",
                    "api: last error: bind failed");
        }
    }

    @Test
    void listingIsAnAlignedTableWithTheWritingNode() throws Exception {
        try (FakeApiServer node = node(FakeApiServer.result(json(LIST)))) {
            LaunchResult result = launcher.launch(args(node, "get", "network", "--subtype", "vlan"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).containsExactly(
                    "TYPE     SUBTYPE  ID                VERSION              NODE",
                    "network  vlan     v100              18c2f3a1b2c40000@n1  n1",
                    "network  trunk    uplink-long-name  18c2f3a1b2c40001@n2  n2");
            Request sent = node.received().get(0);
            assertThat(sent.op()).isEqualTo("list");
            assertThat(sent.args()).isEqualTo(json("{\"type\":\"network\",\"subtype\":\"vlan\"}"));
        }
    }

    @Test
    void listingJsonParses() throws Exception {
        try (FakeApiServer node = node(FakeApiServer.result(json(LIST)))) {
            LaunchResult result = launcher.launch(args(node, "get", "NETWORK", "--json"));
            assertThat(result.exitCode()).isZero();
            assertThat(json(result.getOutput())).isEqualTo(json(LIST));
            assertThat(node.received().get(0).args().path("type").asText()).isEqualTo("network");
        }
    }

    @Test
    void restoreAsAndOnAnotherNodeAndCreateFromATemplateSendWhatTheyName() throws Exception {
        Path userData = Files.writeString(dir.resolve("user-data.yaml"), "#cloud-config\nruncmd: [echo hi]\n");
        Path key = Files.writeString(dir.resolve("id.pub"), "# mine\nssh-ed25519 AAAAC3Nza test@acp\n\n");
        JsonNode report = json("{\"id\":\"db-copy\",\"state\":\"running\",\"node\":\"n2\",\"backup\":\"db.20261202T020000Z\"}");
        try (FakeApiServer node = node(FakeApiServer.result(report))) {
            LaunchResult r = launcher.launch(args(node, "system", "restore", "db", "db.20261202T020000Z", "--from", "vault", "--as", "db-copy", "--node", "n2"));
            assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
            assertThat(r.getOutput()).isEqualTo("restored system db-copy from backup db.20261202T020000Z: running on n2");
            assertThat(node.received().get(0).node()).as("routed like acp --node n2").isEqualTo("n2");
            assertThat(node.received().get(0).args())
                    .isEqualTo(json("{\"id\":\"db\",\"from\":\"vault\",\"backup\":\"db.20261202T020000Z\",\"as\":\"db-copy\"}"));

            r = launcher.launch(args(node, "system", "create", "web2", "--template", "debian12", "--cloud-init", userData.toString(), "--ssh-key",
                    key.toString(), "--hostname", "web-2", "--memory", "512"));
            assertThat(r.exitCode()).as(r.getErrorOutput()).isZero();
            assertThat(node.received().get(1).args()).isEqualTo(json("{\"id\":\"web2\",\"spec\":{\"memory\":512},\"start\":false,\"template\":\"debian12\","
                    + "\"full\":false,\"cloudInit\":{\"userData\":\"#cloud-config\\nruncmd: [echo hi]\\n\",\"sshKeys\":[\"ssh-ed25519 AAAAC3Nza test@acp\"],"
                    + "\"hostname\":\"web-2\"}}"));

            r = launcher.launch(args(node, "system", "create", "web3", "--vcpus", "1", "--memory", "64", "--hostname", "web-3"));
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.getErrorOutput()).contains("--full, --cloud-init, --ssh-key, --hostname and --network-config go with --template");
            assertThat(node.received()).hasSize(2);
        }
    }

    @Test
    void putSendsSpecSubtypeAndCondition() throws Exception {
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, "{\"vlan\": 100}");
        JsonNode stored = json(LIST).get(0);
        try (FakeApiServer node = node(FakeApiServer.result(stored))) {
            LaunchResult result = launcher.launch(args(node, "put", "network", "v100", "--subtype", "vlan", "--spec", "@" + spec, "--if-version", "none"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutput()).isEqualTo("put network/v100 version 18c2f3a1b2c40000@n1");
            assertThat(node.received().get(0).args())
                    .isEqualTo(json("{\"type\":\"network\",\"id\":\"v100\",\"subtype\":\"vlan\",\"spec\":{\"vlan\":100},\"ifVersion\":null}"));

            result = launcher.launch(args(node, "put", "network", "v100", "--spec", "{\"vlan\":101}", "--if-version", "18c2f3a1b2c40000@n1", "--json"));
            assertThat(result.exitCode()).isZero();
            assertThat(json(result.getOutput())).isEqualTo(stored);
            assertThat(node.received().get(1).args().path("ifVersion").asText()).isEqualTo("18c2f3a1b2c40000@n1");
        }
    }

    @Test
    void errorCodesBecomeExitCodesWithOneLine() throws Exception {
        record Case(ErrorCode code, int exit) {
        }
        List<Case> cases = List.of(new Case(ErrorCode.NOT_FOUND, 3), new Case(ErrorCode.UNAUTHORIZED, 4), new Case(ErrorCode.FORBIDDEN, 4),
                new Case(ErrorCode.UNAVAILABLE, 5), new Case(ErrorCode.TIMEOUT, 5), new Case(ErrorCode.CONFLICT, 6),
                new Case(ErrorCode.BAD_REQUEST, 7), new Case(ErrorCode.INTERNAL, 1));
        for (Case c : cases) {
            try (FakeApiServer node = node(r -> List.of(new Response.Failure(r.id(), c.code(), "what went wrong with network/v9")))) {
                LaunchResult result = launcher.launch(args(node, "delete", "network", "v9"));
                assertThat(result.exitCode()).as(c.code().wireName()).isEqualTo(c.exit());
                assertThat(CliWithoutNodeTest.errorLines(result)).containsExactly("acp: " + c.code().wireName() + ": what went wrong with network/v9");
                assertThat(result.getOutput()).isEmpty();
            }
        }
    }

    @Test
    void watchPrintsOneJsonDocumentPerEvent() throws Exception {
        JsonNode first = json(LIST).get(0);
        JsonNode second = json(LIST).get(1);
        try (FakeApiServer node = node(r -> List.of(new Response.Result(r.id(), Json.object().put("stream", r.id())),
                new Response.Event(r.id(), first), new Response.Event(r.id(), second), new Response.End(r.id())))) {
            LaunchResult result = launcher.launch(args(node, "watch", "network", "--kinds", "object,meta", "--json"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).hasSize(2);
            assertThat(json(result.getOutputStream().get(0))).isEqualTo(first);
            assertThat(json(result.getOutputStream().get(1))).isEqualTo(second);
            assertThat(node.received().get(0).args()).isEqualTo(json("{\"type\":\"network\",\"kinds\":[\"object\",\"meta\"]}"));
        }
    }

    @Test
    void watchForPeopleIsOneLinePerChange() throws Exception {
        JsonNode meta = json("{\"kind\":\"meta\",\"type\":\"node\",\"id\":\"n1\",\"node\":\"n1\",\"values\":{\"state\":\"running\"},\"version\":\"1@n1\"}");
        try (FakeApiServer node = node(r -> List.of(new Response.Result(r.id(), Json.object().put("stream", r.id())),
                new Response.Event(r.id(), json(LIST).get(0)), new Response.Event(r.id(), meta), new Response.End(r.id())))) {
            LaunchResult result = launcher.launch(args(node, "watch"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).hasSize(2);
            assertThat(result.getOutputStream().get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} object network/v100 \\(vlan\\) \\{\"vlan\":100} @ 18c2f3a1b2c40000@n1");
            assertThat(result.getOutputStream().get(1)).endsWith(" meta node/n1 from n1 state=running @ 1@n1");
        }
    }

    @Test
    void statsShowNumbersTheWayPeopleReadThem() throws Exception {
        JsonNode samples = json("""
                [{"kind":"stats","type":"node","id":"n1","node":"n1","time":1764010000000,"values":{"processRss":1.06176512E8,"cpu":0.9850746268656716,"uptime":93784.0},"version":"1@n1"},
                 {"kind":"stats","type":"node","id":"n1","node":"n2","time":1764010001000,"values":{"memAvailable":2.3975501824E10,"cpu":0.5},"version":"2@n2"}]
                """);
        try (FakeApiServer node = node(FakeApiServer.result(samples))) {
            LaunchResult result = launcher.launch(args(node, "stats", "node", "n1", "--from", "n1"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.getOutputStream()).containsExactly(
                    "NODE  METRIC        VALUE     TIME",
                    "n1    cpu           99 %      2025-11-24T18:46:40Z",
                    "      processRss    101 MiB",
                    "      uptime        1d2h",
                    "n2    cpu           50 %      2025-11-24T18:46:41Z",
                    "      memAvailable  22.3 GiB");
            assertThat(node.received().get(0).args()).isEqualTo(json("{\"type\":\"node\",\"id\":\"n1\",\"node\":\"n1\"}"));
        }
    }

    @Test
    void theKeyComesFromTheDataDirectoryWhenNotGiven() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("admin.key"), "file-key\n");
        System.setProperty("acp.node.data-dir", data.toString());
        try (FakeApiServer node = node(FakeApiServer.result(json(STATUS)))) {
            LaunchResult result = launcher.launch("services", "--socket", dir.resolve("api.sock").toString());
            assertThat(result.exitCode()).isZero();
            assertThat(node.received().get(0).key()).isEqualTo("file-key");
        } finally {
            System.clearProperty("acp.node.data-dir");
        }
    }

    @Test
    void noKeyAnywhereIsUnauthorizedNamingWhereItLooked() throws Exception {
        Path data = Files.createDirectories(dir.resolve("empty-data"));
        System.setProperty("acp.node.data-dir", data.toString());
        try (FakeApiServer node = node(FakeApiServer.result(json(STATUS)))) {
            LaunchResult result = launcher.launch("status", "--socket", dir.resolve("api.sock").toString());
            assertThat(result.exitCode()).isEqualTo(ExitCodes.DENIED);
            assertThat(CliWithoutNodeTest.errorLines(result)).singleElement().asString()
                    .startsWith("acp: unauthorized: no API key: pass --api-key KEY or set ACP_API_KEY")
                    .contains(data.resolve("admin.key") + " does not exist");
            assertThat(node.received()).isEmpty();
        } finally {
            System.clearProperty("acp.node.data-dir");
        }
    }
}
