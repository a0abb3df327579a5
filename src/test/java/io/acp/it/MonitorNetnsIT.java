package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitors in real {@code acp node run} processes, one per network namespace (the lab of
 * {@link NetnsLab}, membership suspect after 1.5 s, dead after 3 s): the primary is killed with -9
 * and a secondary takes over; a node is cut off by nftables and runs its own primary; after healing
 * one primary remains; the restarted first node becomes primary again. The alarm set is compared
 * before and after (same ids, same firstSeen, none duplicated); the real CLI reads health, acknowledges
 * an alarm (kept across the partition until cleared) and lists alarms. Needs root, as CI runs. Failover
 * times are printed ("netns monitor: ...") for docs/benchmarks.md; only generous deadlines are asserted.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MonitorNetnsIT {

    private static final Duration LIMIT = Duration.ofSeconds(45);
    private static final String N1_DEAD = "nodeDead:node:n1";

    @TempDir
    static Path dir;
    private static NetnsLab lab;

    @BeforeAll
    static void startLab() throws Exception {
        lab = NetnsLab.start(3, dir, List.of(
                "-Dacp.node.services=cluster,api,monitor",
                "-Dacp.monitor.raise-delay=1s",
                "-Dacp.monitor.clear-delay=2s"));
    }

    @AfterAll
    static void stopLab() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** The monitor role {@code node} publishes about itself ("primary"/"secondary" and whom it follows), read on itself. */
    private static String role(NodeProcess node) {
        try (ApiClient api = node.client()) {
            for (JsonNode e : api.call("cluster", "meta", Json.object().put("type", "service").put("id", node.id() + ":monitor"))) {
                if (e.path("node").asText().equals(node.id())) {
                    JsonNode v = e.path("values");
                    return v.path("role").asText("none") + " of " + v.path("primary").asText("?") + " term " + v.path("term").asLong();
                }
            }
            return "none";
        } catch (AcpException | IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    /** Every node of {@code side} follows {@code primary}, and only it is primary. */
    private static boolean onePrimary(List<NodeProcess> side, String primary) {
        for (NodeProcess n : side) {
            String r = role(n);
            String expected = (n.id().equals(primary) ? "primary" : "secondary") + " of " + primary + " term";
            if (!r.startsWith(expected)) {
                return false;
            }
        }
        return true;
    }

    private static String roles() {
        return lab.nodes().stream().filter(NodeProcess::alive).map(n -> n.id() + ": " + role(n)).collect(Collectors.joining(", "));
    }

    /** id → alarm row, as {@code acp alarms --all} on {@code node} lists them. */
    private static Map<String, JsonNode> alarms(NodeProcess node) {
        Map<String, JsonNode> out = new TreeMap<>();
        try (ApiClient api = node.client()) {
            for (JsonNode a : api.call("monitor", "alarms", Json.object().put("all", true))) {
                out.put(a.path("id").asText(), a);
            }
        } catch (AcpException | IOException e) {
            throw new AssertionError("alarms of " + node.id() + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean raised(NodeProcess node, String id) {
        JsonNode a = alarms(node).get(id);
        return a != null && !a.path("state").asText().equals("cleared");
    }

    private static boolean cleared(NodeProcess node, String id) {
        JsonNode a = alarms(node).get(id);
        return a != null && a.path("state").asText().equals("cleared");
    }

    private static void noDuplicates(NodeProcess node) {
        List<String> conditions = alarms(node).values().stream()
                .map(a -> a.path("rule").asText() + " " + a.path("subject").asText() + " " + a.path("node").asText()).toList();
        assertThat(conditions).as("alarms on %s", node.id()).doesNotHaveDuplicates();
    }

    @Test
    void killedPrimaryIsReplacedAPartitionRunsTwoPrimariesAndHealingLeavesOne() throws Exception {
        NodeProcess n1 = lab.node(1);
        NodeProcess n2 = lab.node(2);
        NodeProcess n3 = lab.node(3);
        Convergence.until(LIMIT, () -> onePrimary(lab.nodes(), "n1"), () -> "n1 primary of all: " + roles());

        long killed = System.nanoTime();
        n1.kill();
        Convergence.until(LIMIT, () -> onePrimary(List.of(n2, n3), "n2"), () -> "n2 primary of n2, n3: " + roles());
        long failover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("netns monitor: primary killed (-9), n2 primary of the rest after " + failover + " ms (suspect after "
                + NetnsLab.SUSPECT_AFTER.toMillis() + " ms)");
        Convergence.until(LIMIT, () -> raised(n2, N1_DEAD) && raised(n3, N1_DEAD), () -> "nodeDead of n1 on n2, n3: " + alarms(n2));
        JsonNode n1DeadBefore = alarms(n2).get(N1_DEAD);
        JsonNode health = Json.MAPPER.readTree(cli(n3, "health", "--json").stdout());
        assertThat(health.path("primary").asText()).as("acp health on n3: %s", health).isEqualTo("n2");
        assertThat(health.path("score").asInt()).isEqualTo(70);
        assertThat(health.path("nodes").path("n1").asInt()).isEqualTo(70);
        assertThat(cli(n3, "alarm", "ack", N1_DEAD).stdout()).startsWith("alarm " + N1_DEAD + ": acknowledged by ");

        long cut = System.nanoTime();
        lab.partition(n3);
        Convergence.until(LIMIT, () -> onePrimary(List.of(n3), "n3"), () -> "n3 primary of itself: " + roles());
        System.out.println("netns monitor: cut-off n3 primary of its side after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut) + " ms");
        assertThat(onePrimary(List.of(n2), "n2")).as("n2 still primary of its side: %s", roles()).isTrue();
        Convergence.until(LIMIT, () -> raised(n3, "nodeDead:node:n2") && raised(n2, "nodeDead:node:n3"),
                () -> "each side's alarm about the other: n2 " + alarms(n2).keySet() + ", n3 " + alarms(n3).keySet());

        long healed = System.nanoTime();
        lab.heal(n3);
        Convergence.until(LIMIT, () -> onePrimary(List.of(n2, n3), "n2"), () -> "n2 primary after healing: " + roles());
        System.out.println("netns monitor: one primary " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed) + " ms after healing");
        Convergence.until(LIMIT, () -> cleared(n2, "nodeDead:node:n3") && cleared(n3, "nodeDead:node:n2") && cleared(n3, "nodeDead:node:n3")
                && cleared(n2, "nodeDead:node:n2"), () -> "split alarms cleared: n2 " + alarms(n2) + ", n3 " + alarms(n3));
        for (NodeProcess n : List.of(n2, n3)) {
            JsonNode after = alarms(n).get(N1_DEAD);
            assertThat(after.path("state").asText()).as("n1 is still dead, seen from %s; the ack is kept", n.id()).isEqualTo("acknowledged");
            assertThat(after.path("firstSeen").asText()).as("no second raise on %s", n.id()).isEqualTo(n1DeadBefore.path("firstSeen").asText());
            noDuplicates(n);
        }

        n1.restart();
        NetnsLab.awaitSync(n1);
        Convergence.until(LIMIT, () -> onePrimary(lab.nodes(), "n1"), () -> "n1 primary again: " + roles());
        Convergence.until(LIMIT, () -> cleared(n1, N1_DEAD) && cleared(n2, N1_DEAD), () -> "nodeDead of n1 cleared: " + alarms(n1));
        Set<String> active = alarms(n1).entrySet().stream().filter(e -> !e.getValue().path("state").asText().equals("cleared"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(active).as("active alarms once all is well").isEmpty();
        noDuplicates(n1);
        JsonNode listed = Json.MAPPER.readTree(cli(n2, "alarms", "--all", "--json").stdout());
        assertThat(listed.findValuesAsText("id")).as("acp alarms --all on n2").contains(N1_DEAD, "nodeDead:node:n2", "nodeDead:node:n3");
        assertThat(cli(n2, "alarms").stdout()).isEqualTo("no alarms");
    }

    /** A real {@code acp} CLI run against {@code node}'s socket with its admin key; must exit 0. */
    private static AcpApp.CliResult cli(NodeProcess node, String... args) throws IOException, InterruptedException {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--socket", node.socket().toString(), "--api-key", node.adminKey()));
        AcpApp.CliResult r = AcpApp.cli(dir, List.of(), Duration.ofSeconds(60), all.toArray(String[]::new));
        assertThat(r.exitCode()).as("acp %s: %s", String.join(" ", args), r).isZero();
        return r;
    }
}
