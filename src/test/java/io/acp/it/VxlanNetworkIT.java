package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import io.acp.network.NetLab;
import io.acp.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged nodes, each in its own network namespace of a {@link NetLab}, whose only link is
 * their eth0 on a switch namespace (10.201.0.1 and .2, which also carries the CDB's multicast). A
 * guest namespace hangs off each node. The real CLI creates a vxlan network on eth0; the guests,
 * attached on different nodes, ping each other through the tunnel; delete removes every link.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class VxlanNetworkIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static NetLab lab;
    static String ns1;
    static String ns2;
    static String g1;
    static final List<NodeProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void startTwoNodes() throws Exception {
        lab = new NetLab();
        String sw = lab.namespace("sw");
        NetLab.sh("ip", "-n", sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        NetLab.sh("ip", "-n", sw, "link", "set", "br0", "up");
        ns1 = lab.namespace("n1");
        ns2 = lab.namespace("n2");
        for (int i = 1; i <= 2; i++) {
            String ns = i == 1 ? ns1 : ns2;
            lab.wire(ns, "eth0", sw, "p" + i);
            NetLab.sh("ip", "-n", sw, "link", "set", "p" + i, "master", "br0");
            NetLab.sh("ip", "-n", ns, "addr", "add", "10.201.0." + i + "/24", "dev", "eth0");
            NetLab.sh("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
        }
        g1 = lab.guest("g1", ns1, "gv1", "10.77.0.1/24");
        lab.guest("g2", ns2, "gv2", "10.77.0.2/24");
        for (String id : List.of("n1", "n2")) {
            NodeProcess node = NodeProcess.start(id, Files.createDirectories(dir.resolve(id)), List.of("ip", "netns", "exec", id.equals("n1") ? ns1 : ns2),
                    List.of("-Xmx192m",
                            "-Dacp.node.services=cluster,api,network",
                            "-Dacp.cluster.sync.enabled=true",
                            "-Dacp.cluster.sync.mode=multicast",
                            "-Dacp.cluster.sync.multicast-interface=eth0",
                            "-Dacp.cluster.sync.secret=" + NetnsLab.SECRET,
                            "-Dacp.cluster.sync.heartbeat-interval=200ms",
                            "-Dacp.cluster.sync.anti-entropy-interval=300ms",
                            "-Dacp.network.uplinks=eth0",
                            "-Dacp.network.reconcile-interval=1s"));
            nodes.add(node);
            NetnsLab.awaitSync(node);
        }
        Eventually.await(WAIT, () -> uplinksReported("n1") && uplinksReported("n2"), "both nodes' uplinks reported to n1");
    }

    @AfterAll
    static void stopNodes() throws Exception {
        try {
            for (NodeProcess n : nodes) {
                n.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    private static boolean uplinksReported(String node) {
        try {
            CliResult r = acp(1, "meta", "service", node + ":network", "--json");
            return r.exitCode() == 0 && r.stdout().contains("\"uplinks\":[\"eth0\"]");
        } catch (Exception e) {
            return false;
        }
    }

    private static CliResult acp(int i, String... args) throws IOException, InterruptedException {
        return nodes.get(i - 1).cli(dir, CLI_LIMIT, args);
    }

    private static JsonNode show(int i, String id) throws Exception {
        CliResult r = acp(i, "network", "show", id, "--json");
        assertThat(r.exitCode()).as("%s", r).isZero();
        return Json.MAPPER.readTree(r.out().get(0));
    }

    private static boolean links(String ns, String name) {
        return NetLab.run(List.of("ip", "-n", ns, "link", "show", name)).exit() == 0;
    }

    @Test
    void guestsOnTwoNodesPingThroughTheOverlayAndDeleteRemovesIt() throws Exception {
        CliResult create = acp(1, "network", "create", "ov", "--type", "vxlan", "--uplink", "eth0", "--vni", "77");
        assertThat(create.exitCode()).as("%s", create).isZero();
        assertThat(create.stdout()).isEqualTo("created vxlan network ov on underlay eth0 (VNI 77)");
        Eventually.await(WAIT, () -> {
            try {
                JsonNode n = show(2, "ov").path("nodes");
                return n.path("n1").path("peers").toString().equals("[\"10.201.0.2\"]") && n.path("n2").path("peers").toString().equals("[\"10.201.0.1\"]");
            } catch (Exception | AssertionError e) {
                return false;
            }
        }, "ov up on n1 and n2, each with the other as its peer");
        assertThat(acp(1, "network", "attach", "ov", "gv1").exitCode()).isZero();
        assertThat(acp(2, "network", "attach", "ov", "gv2").exitCode()).isZero();
        assertThat(lab.ping(g1, "10.77.0.2", 5)).as("g1 pings g2 through the VXLAN tunnel over eth0").isTrue();

        CliResult shown = acp(1, "network", "show", "ov");
        assertThat(shown.stdout()).contains("on n1: up, bridge acp-ov, via acpvx77")
                .contains("tunnel endpoint 10.201.0.1, MTU 1450, peers: 10.201.0.2");
        assertThat(acp(1, "network", "list").out()).anySatisfy(l -> assertThat(l).matches("ov +vxlan +eth0 +vni 77 +n[12] up, n[12] up"));

        CliResult dup = acp(2, "network", "create", "ov2", "--type", "vxlan", "--uplink", "eth0", "--vni", "77");
        assertThat(dup.exitCode()).isEqualTo(6);
        assertThat(dup.errors()).singleElement().asString().contains("network ov2: duplicate VNI 77: network ov already uses it");
        CliResult range = acp(1, "network", "create", "big", "--type", "vxlan", "--uplink", "eth0", "--vni", "16777216");
        assertThat(range.exitCode()).isEqualTo(7);
        assertThat(range.errors()).singleElement().asString().contains("network big: VNI out of range: 16777216; a VNI is 1..16777215");

        assertThat(acp(1, "network", "detach", "ov", "gv1").exitCode()).isZero();
        assertThat(acp(2, "network", "detach", "ov", "gv2").exitCode()).isZero();
        assertThat(acp(1, "network", "delete", "ov").exitCode()).isZero();
        Eventually.await(WAIT, () -> !links(ns1, "acpvx77") && !links(ns2, "acpvx77") && !links(ns1, "acp-ov") && !links(ns2, "acp-ov"),
                "the VXLAN devices and bridges deleted on both nodes");
    }
}
