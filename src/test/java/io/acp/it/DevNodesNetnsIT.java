package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * ACP_DEV_NAME names, an uplink added while it runs is usable as docs/network.md says, and
 * Ctrl-C leaves nothing behind. Uses network namespaces: run under /tmp/acp-netns.lock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DevNodesNetnsIT {

    @TempDir
    Path dir;

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
        try (DevNode first = a; DevNode second = b) {
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
    void anUplinkAddedWhileTheNodeRunsCarriesANetwork() throws Exception {
        // docs/network.md, "Namespace": the veth, its namespace end named up0.
        Process veth = new ProcessBuilder("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "up0", "netns", a.namespace())
                .redirectErrorStream(true).start();
        assertThat(veth.waitFor(10, TimeUnit.SECONDS) && veth.exitValue() == 0).as("ip link add: %s", new String(veth.getInputStream().readAllBytes())).isTrue();
        Map<String, String> env = Map.of("ACP_DEV_NAME", a.name());
        AcpApp.CliResult created = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            created = checkout.shell("scripts/acp network create lan --spec '{\"uplink\": \"up0\", \"vlans\": [10, 20]}'", env, 60);
            if (created.exitCode() == 0) {
                break;
            }
            Thread.sleep(1000); // the uplink is reported at the node's next reconcile (5 s)
        }
        assertThat(created.exitCode()).as("network create on the new uplink: %s", created).isZero();
        JsonNode network = null;
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            AcpApp.CliResult shown = checkout.shell("scripts/acp network show lan --json", env, 60);
            network = shown.exitCode() == 0 ? shown.json() : null;
            if (network != null && "up".equals(stateOn(network, a.name()))) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(stateOn(network, a.name())).as("network lan on %s: %s", a.name(), network).isEqualTo("up");
    }

    private static String stateOn(JsonNode network, String node) {
        return network == null ? null : network.path("nodes").path(node).path("state").asText(null);
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
