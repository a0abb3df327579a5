package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes from {@code scripts/dev} side by side on one host, each under its own name: each is
 * private (listens on loopback only, nothing inside its namespace), scripts/acp reaches the one
 * ACP_DEV_NAME names, an uplink added while it runs carries a network exactly as docs/network.md says, and
 * Ctrl-C leaves nothing behind. Uses network namespaces: run under /tmp/acp-netns.lock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DevNodesNetnsIT {

    @TempDir
    static Path dir;

    private DevCheckout checkout;
    private DevNode a;
    private DevNode b;
    private final String hostEnd = DevCheckout.uniqueName("u");

    @BeforeAll
    void startTwo() throws Exception {
        checkout = DevCheckout.in(dir);
        a = DevNode.start(checkout, DevCheckout.uniqueName("da"), DevCheckout.freePortBase());
        b = DevNode.start(checkout, DevCheckout.uniqueName("db"), DevCheckout.freePortBase());
    }

    @AfterAll
    void cleanUp() throws Exception {
        try (DevCheckout c = checkout; DevNode first = a; DevNode second = b) {
            new ProcessBuilder("ip", "link", "del", hostEnd).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void twoDevNodesAnswerSideBySide() throws Exception {
        for (DevNode n : List.of(a, b)) {
            AcpApp.CliResult r = checkout.shell("scripts/acp status --json", Map.of("ACP_DEV_NAME", n.name()), 60);
            assertThat(r.exitCode()).as("%s: %s", n.name(), r).isZero();
            assertThat(r.json().path("node").asText()).as("scripts/acp with ACP_DEV_NAME=%s: %s", n.name(), r).isEqualTo(n.name());
        }
        AcpApp.CliResult unnamed = checkout.shell("scripts/acp status", Map.of(), 60);
        assertThat(unnamed.exitCode()).as("two running and no name: %s", unnamed).isEqualTo(2);
        assertThat(String.join("\n", unnamed.err())).contains(a.name()).contains(b.name()).contains("ACP_DEV_NAME");
    }

    @Test
    @Order(2)
    void eachListensOnLoopbackOnlyAndNothingInItsNamespace() throws Exception {
        List<String> host = DevCheckout.listeners(null);
        for (DevNode n : List.of(a, b)) {
            String owner = "pid=" + n.javaPid() + ",";
            List<String> own = host.stream().filter(l -> l.contains(owner)).toList();
            // API, agent, join port, web UI: all four, each on 127.0.0.1.
            assertThat(own).as("%s's listeners in `ss -ltnupH`", n.name()).hasSize(4);
            for (String line : own) {
                String local = line.trim().split("\\s+")[4];
                assertThat(local).as("%s listens on loopback only: %s", n.name(), line).matches("(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]|\\[::1\\]):\\d+");
            }
            assertThat(DevCheckout.listeners(n.namespace())).as("listeners inside %s", n.namespace()).isEmpty();
        }
    }

    @Test
    @Order(3)
    void theUplinkAdviceOfTheNetworkDocWorksAsWritten() throws Exception {
        // docs/network.md, "Namespace": its commands for dev1, run for node a (two nodes run, so it is named).
        List<String> advice = ReadmeCommandsIT.blocks(Files.readAllLines(Path.of("docs/network.md"), StandardCharsets.UTF_8)).stream()
                .filter(b -> b.lines().stream().anyMatch(l -> l.contains("peer name up0")))
                .findFirst()
                .map(b -> ReadmeCommandsIT.commands(b.lines()))
                .orElseThrow(() -> new AssertionError("docs/network.md shows no uplink for a dev node"));
        assertThat(advice).hasSize(3);
        Map<String, String> env = Map.of("ACP_DEV_NAME", a.name());
        AcpApp.CliResult veth = checkout.shell(advice.get(0).replace("up0-dev1", hostEnd).replace("acp-dev1", a.namespace()), env, 30);
        assertThat(veth.exitCode()).as("%s: %s", advice.get(0), veth).isZero();
        // The uplink is reported at the node's next reconcile (acp.network.reconcile-interval, 5 s).
        AcpApp.CliResult created = retry(advice.get(1), env, r -> r.exitCode() == 0);
        assertThat(created.exitCode()).as("%s: %s", advice.get(1), created).isZero();
        AcpApp.CliResult shown = retry(advice.get(2), env, r -> r.stdout().contains("on " + a.name() + ": up, bridge acp-lan"));
        assertThat(shown.stdout()).as("%s: %s", advice.get(2), shown).contains("on " + a.name() + ": up, bridge acp-lan");
    }

    /** Runs {@code command} until {@code done} holds, for at most 30 s; answers the last result. */
    private AcpApp.CliResult retry(String command, Map<String, String> env, Predicate<AcpApp.CliResult> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        AcpApp.CliResult r = checkout.shell(command, env, 60);
        while (!done.test(r) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            r = checkout.shell(command, env, 60);
        }
        return r;
    }

    @Test
    @Order(4)
    void ctrlCStopsEachAndLeavesNothingBehind() throws Exception {
        for (DevNode n : List.of(a, b)) {
            long java = n.javaPid();
            assertThat(n.stop()).as("scripts/dev %s after SIGINT", n.name()).isEqualTo(130);
            assertThat(ProcessHandle.of(java).map(ProcessHandle::isAlive).orElse(false)).as("%s's JVM", n.name()).isFalse();
            assertThat(DevCheckout.namespaceExists(n.namespace())).as("namespace %s", n.namespace()).isFalse();
            assertThat(n.stateDir().resolve("pid")).doesNotExist();
            String owner = "pid=" + java + ",";
            assertThat(DevCheckout.listeners(null)).noneMatch(l -> l.contains(owner));
        }
    }
}
