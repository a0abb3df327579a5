package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real CLI, as separate processes, against a real node process: over the Unix socket (key
 * from the data directory) and over loopback TCP (key on the command line). Ends by stopping the
 * node with SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliAgainstNodeIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static NodeProcess node;

    enum Transport {
        UNIX, TCP;

        /** JVM options and CLI options that reach the node this way. */
        List<String> jvm() {
            return this == UNIX ? List.of("-Dacp.node.data-dir=" + node.dataDir()) : List.of();
        }

        List<String> options(String key) {
            return this == UNIX
                    ? List.of("--socket", node.socket().toString())
                    : List.of("--tcp", "127.0.0.1:" + node.port(), "--api-key", key);
        }
    }

    @BeforeAll
    static void startNode() throws Exception {
        node = NodeProcess.start("it1", dir);
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static CliResult acp(Transport t, String... args) throws Exception {
        return acpWithKey(t, node.adminKey(), args);
    }

    private static CliResult acpWithKey(Transport t, String key, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(t.options(key));
        return AcpApp.cli(dir, t.jvm(), CLI_LIMIT, all.toArray(String[]::new));
    }

    @Order(1)
    @ParameterizedTest
    @EnumSource(Transport.class)
    void statusAndServices(Transport t) throws Exception {
        CliResult status = acp(t, "status", "--json");
        assertThat(status.exitCode()).as("%s", status).isZero();
        JsonNode s = status.json();
        assertThat(s.path("node").asText()).isEqualTo("it1");
        assertThat(s.path("uptimeMs").asLong()).isPositive();

        CliResult services = acp(t, "services", "--json");
        assertThat(services.exitCode()).as("%s", services).isZero();
        List<String> running = new ArrayList<>();
        for (JsonNode svc : services.json()) {
            if (svc.path("state").asText().equals("running")) {
                running.add(svc.path("name").asText());
            }
        }
        assertThat(running).contains("cluster", "api");

        CliResult table = acp(t, "services");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out().get(0)).matches("NAME +STATE +HEALTH +SINCE +RESTARTS");
        assertThat(table.out()).anySatisfy(l -> assertThat(l).matches("api +running +ok .*"));
    }

    /**
     * The launcher runs client calls from acp-client.jar (no Quarkus runner); {@code java -jar
     * quarkus-run.jar} still runs them too, with the same answers, and a command that needs the
     * application is handed from the client jar to the runner.
     */
    @Order(1)
    @Test
    void theClientJarAndTheRunnerAnswerAlike() throws Exception {
        List<String> args = new ArrayList<>(List.of("services", "--json"));
        args.addAll(Transport.UNIX.options(node.adminKey()));
        CliResult client = AcpApp.cli(AcpApp.CLIENT_JAR, dir, Transport.UNIX.jvm(), CLI_LIMIT, args.toArray(String[]::new));
        CliResult runner = AcpApp.cli(AcpApp.JAR, dir, Transport.UNIX.jvm(), CLI_LIMIT, args.toArray(String[]::new));
        assertThat(client.exitCode()).as("%s", client).isZero();
        assertThat(runner.exitCode()).as("%s", runner).isZero();
        assertThat(client.json()).isEqualTo(runner.json());

        CliResult clientVersion = AcpApp.cli(AcpApp.CLIENT_JAR, dir, List.of(), CLI_LIMIT, "--version");
        assertThat(clientVersion.exitCode()).as("%s", clientVersion).isZero();
        assertThat(clientVersion.out()).isEqualTo(AcpApp.cli(AcpApp.JAR, dir, List.of(), CLI_LIMIT, "--version").out());

        // cluster join-token needs the node's application (its PKI beans): the client jar starts the runner for it.
        CliResult token = AcpApp.cli(AcpApp.CLIENT_JAR, dir, Transport.UNIX.jvm(), CLI_LIMIT, "cluster", "join-token", "--node", "n-handoff");
        assertThat(token.exitCode()).as("%s", token).isZero();
        assertThat(token.stdout()).startsWith("acpjoin");
    }

    /**
     * {@code acp --agent}: the client jar speaks mutual TLS with the node's own certificate (from
     * its data directory) and refuses an agent whose certificate names another node than
     * {@code --agent-node}, before sending anything.
     */
    @Order(1)
    @Test
    void statusOverTheAgentsMutualTlsChecksTheNodeName() throws Exception {
        String agent = null;
        try (io.acp.api.client.ApiClient local = node.client()) {
            com.fasterxml.jackson.databind.node.ObjectNode ref = io.acp.model.JsonTrees.object().put("type", "node").put("id", "it1");
            for (int i = 0; i < 100 && (agent == null || agent.isBlank()); i++) {
                JsonNode meta = local.call(null, "cluster", "meta", ref.deepCopy().put("node", "it1"));
                agent = meta.size() == 0 ? null : meta.get(0).path("values").path("agent").asText(null);
                if (agent == null || agent.isBlank()) {
                    Thread.sleep(100);
                }
            }
        }
        assertThat(agent).as("the agent address node it1 publishes").isNotBlank();
        List<String> jvm = List.of("-Dacp.node.data-dir=" + node.dataDir());

        CliResult ok = AcpApp.cli(dir, jvm, CLI_LIMIT, "status", "--json", "--agent", agent, "--agent-node", "it1");
        assertThat(ok.exitCode()).as("%s", ok).isZero();
        assertThat(ok.json().path("node").asText()).isEqualTo("it1");

        CliResult wrong = AcpApp.cli(dir, jvm, CLI_LIMIT, "status", "--agent", agent, "--agent-node", "other");
        assertThat(wrong.exitCode()).as("%s", wrong).isEqualTo(5);
        assertThat(wrong.errors()).as("%s", wrong).singleElement().asString()
                .contains("presented the certificate of node it1, not of node other");
    }

    @Order(2)
    @ParameterizedTest
    @EnumSource(Transport.class)
    void putGetListDelete(Transport t) throws Exception {
        String id = "v-" + t.name().toLowerCase();
        CliResult put = acp(t, "put", "network", id, "--subtype", "vlan", "--spec", "{\"uplink\": \"eth0\", \"vlan\": 100}", "--json");
        assertThat(put.exitCode()).as("%s", put).isZero();
        JsonNode stored = put.json();
        assertThat(stored.path("spec").path("vlan").asInt()).isEqualTo(100);
        assertThat(stored.path("version").asText()).endsWith("@it1");

        CliResult get = acp(t, "get", "network", id, "--json");
        assertThat(get.exitCode()).as("%s", get).isZero();
        assertThat(get.json()).isEqualTo(stored);

        CliResult conflict = acp(t, "put", "network", id, "--subtype", "vlan", "--spec", "{\"uplink\": \"eth0\", \"vlan\": 101}", "--if-version", "none");
        assertThat(conflict.exitCode()).as("%s", conflict).isEqualTo(6);
        assertThat(conflict.errors()).singleElement().asString().startsWith("acp: conflict: ");

        CliResult list = acp(t, "get", "network");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.out().get(0)).matches("TYPE +SUBTYPE +ID +VERSION +NODE");
        assertThat(list.out()).anySatisfy(l -> assertThat(l).matches("network +vlan +" + id + " +\\S+@it1 +it1"));

        CliResult delete = acp(t, "delete", "network", id);
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.stdout()).startsWith("deleted network/" + id);

        CliResult gone = acp(t, "get", "network", id);
        assertThat(gone.exitCode()).as("%s", gone).isEqualTo(3);
        assertThat(gone.errors()).singleElement().asString().startsWith("acp: not_found: ").contains(id);
        assertThat(gone.out()).isEmpty();
    }

    @Order(3)
    @ParameterizedTest
    @EnumSource(Transport.class)
    void unknownObjectIsNotFound(Transport t) throws Exception {
        CliResult r = acp(t, "get", "system", "never-was");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
        assertThat(r.errors()).singleElement().asString().startsWith("acp: not_found: ").contains("never-was");
    }

    @Order(4)
    @ParameterizedTest
    @EnumSource(Transport.class)
    void wrongKeyIsUnauthorized(Transport t) throws Exception {
        List<String> args = new ArrayList<>(List.of("status", "--api-key", "not-the-key"));
        args.addAll(t == Transport.UNIX ? List.of("--socket", node.socket().toString()) : List.of("--tcp", "127.0.0.1:" + node.port()));
        CliResult r = AcpApp.cli(dir, List.of(), CLI_LIMIT, args.toArray(String[]::new));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(4);
        assertThat(r.errors()).singleElement().asString().startsWith("acp: unauthorized: ");
        assertThat(String.join("\n", r.err()) + r.stdout()).doesNotContain(node.adminKey());
    }

    @Order(4)
    @Test
    void theKeyCanComeFromTheEnvironment() throws Exception {
        String[] args = {"services", "--json", "--tcp", "127.0.0.1:" + node.port()};
        CliResult ok = AcpApp.cli(dir, Map.of("ACP_API_KEY", node.adminKey()), List.of(), CLI_LIMIT, args);
        assertThat(ok.exitCode()).as("%s", ok).isZero();
        assertThat(ok.json().isArray()).isTrue();

        CliResult wrong = AcpApp.cli(dir, Map.of("ACP_API_KEY", "not-the-key"), List.of(), CLI_LIMIT, args);
        assertThat(wrong.exitCode()).as("%s", wrong).isEqualTo(4);

        // --api-key wins over the environment.
        List<String> withFlag = new ArrayList<>(List.of(args));
        withFlag.addAll(List.of("--api-key", node.adminKey()));
        CliResult flag = AcpApp.cli(dir, Map.of("ACP_API_KEY", "not-the-key"), List.of(), CLI_LIMIT, withFlag.toArray(String[]::new));
        assertThat(flag.exitCode()).as("%s", flag).isZero();
    }

    @Order(5)
    @Test
    void watchSeesAPut() throws Exception {
        List<String> cmd = AcpApp.command(Transport.TCP.jvm(), "watch", "alarm", "--json", "--tcp", "127.0.0.1:" + node.port(), "--api-key", node.adminKey());
        Process watch = new ProcessBuilder(cmd).redirectError(dir.resolve("watch.err").toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "watch-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            // The watch subscribes some time after its JVM starts, and says nothing until a
            // change: put until one shows up.
            String seen = null;
            List<String> put = new ArrayList<>();
            for (int i = 0; i < 8 && seen == null; i++) {
                String id = "w" + i;
                CliResult r = acp(Transport.UNIX, "put", "alarm", id, "--spec", "{\"n\": " + i + "}");
                assertThat(r.exitCode()).as("%s", r).isZero();
                put.add(id);
                seen = lines.poll(3, TimeUnit.SECONDS);
            }
            assertThat(seen).as("watch printed nothing; stderr:\n%s", Files.readString(dir.resolve("watch.err"))).isNotNull();
            JsonNode event = Json.MAPPER.readTree(seen);
            assertThat(event.path("kind").asText()).isEqualTo("object");
            assertThat(event.path("type").asText()).isEqualTo("alarm");
            assertThat(put).contains(event.path("id").asText());
            assertThat(watch.isAlive()).isTrue();
        } finally {
            watch.destroy();
            watch.waitFor(20, TimeUnit.SECONDS);
            watch.destroyForcibly();
        }
    }

    @Order(6)
    @Test
    void sigtermStopsServicesInReverseAndRemovesTheSocket() throws Exception {
        assertThat(Files.exists(node.socket())).isTrue();
        int exit = node.terminate(Duration.ofSeconds(60));
        assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);

        List<String> log = node.logLines();
        List<String> started = servicesIn(log, "starting services");
        List<String> stopped = servicesIn(log, "stopping services");
        assertThat(started).startsWith("cluster").contains("api", "hypervisor", "network", "storage", "monitor", "agent");
        List<String> reverse = new ArrayList<>(started);
        Collections.reverse(reverse);
        assertThat(stopped).isEqualTo(reverse);
        assertThat(Files.exists(node.socket())).as("socket file removed").isFalse();
    }

    /** The service list of the node's first log line containing {@code phrase} ("... [cluster, api]"). */
    private static List<String> servicesIn(List<String> log, String phrase) {
        String line = log.stream().filter(l -> l.contains(phrase)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + phrase + "' line in:\n" + String.join("\n", log)));
        String list = line.substring(line.lastIndexOf('[') + 1, line.lastIndexOf(']'));
        return List.of(list.split(", "));
    }
}
