package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * vxlan networks realised by two network services in the real kernel, inside namespaces of a
 * {@link NetLab}: the nodes' up0 carry underlay addresses 10.88.0.1 and .2 and are no bridge's
 * port, so the guests g1 and g2 reach each other only through the VXLAN tunnel. Peers are learned
 * from each other's meta in the CDB and follow a node that leaves and comes back.
 */
@Timeout(120)
class VxlanNetworkTest {

    private static final String OVERLAY = "{\"uplink\": \"up0\", \"vni\": 4242}";

    private TwoNodeNetworks nodes;

    @BeforeEach
    void start() {
        nodes = new TwoNodeNetworks();
        NetLab.sh("ip", "-n", nodes.ns1, "addr", "add", "10.88.0.1/24", "dev", "up0");
        NetLab.sh("ip", "-n", nodes.ns2, "addr", "add", "10.88.0.2/24", "dev", "up0");
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private void create(String id, String spec) throws Exception {
        nodes.catalog().create(id, "vxlan", Json.MAPPER.readTree(spec)).await().atMost(Duration.ofSeconds(5));
    }

    private List<String> floodPeers(String ns) {
        return new IpLinkBackend(new Commands(Optional.of(ns), Duration.ofSeconds(10))).floodPeers("acpvx4242");
    }

    private void awaitPeers(int node, String peers) {
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.meta(1, "ov", "n" + node)
                .map(m -> m.values().path("peers").toString().equals(peers)).orElse(false),
                () -> "n" + node + " reports peers " + peers + "; meta " + nodes.meta(1, "ov", "n" + node));
    }

    @Test
    void guestsOnTwoNodesPingThroughTheTunnelAndDeleteRemovesIt() throws Exception {
        create("ov", OVERLAY);
        nodes.awaitState("ov", "up");
        awaitPeers(1, "[\"10.88.0.2\"]");
        awaitPeers(2, "[\"10.88.0.1\"]");
        Link vx = TwoNodeNetworks.link(nodes.ns1, "acpvx4242").orElseThrow();
        assertThat(vx.master()).isEqualTo("acp-ov");
        assertThat(vx.alias()).as("marked as n1's").isEqualTo("acp:network/ov@n1");
        assertThat(vx.tunnel()).isEqualTo("vni 4242 port 4789 local 10.88.0.1 group - dev up0");
        assertThat(vx.mtu()).as("1500 of up0 less 50 bytes of VXLAN headers").isEqualTo(1450);
        assertThat(TwoNodeNetworks.link(nodes.ns2, "acp-ov").orElseThrow().mtu()).isEqualTo(1450);
        assertThat(nodes.meta(2, "ov", "n1").orElseThrow().values().path("vtep").asText()).isEqualTo("10.88.0.1");
        assertThat(floodPeers(nodes.ns1)).containsExactly("10.88.0.2");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "up0").orElseThrow().master()).as("the underlay is no bridge port").isNull();

        nodes.n1.attach("ov", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        nodes.n2.attach("ov", "gv2", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        assertThat(TwoNodeNetworks.link(nodes.ns1, "gv1").orElseThrow().mtu()).as("an attached port gets the overlay's MTU").isEqualTo(1450);
        assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 5)).as("g1 pings g2 through the VXLAN tunnel between n1 and n2").isTrue();
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.stats("ov", "n1", 2).getOrDefault("gv1.rxPackets", 0.0) >= 5
                && nodes.stats("ov", "n2", 1).getOrDefault("rxPackets", 0.0) >= 10,
                () -> "pings counted: n1 " + nodes.stats("ov", "n1", 2) + ", n2 " + nodes.stats("ov", "n2", 1));

        nodes.catalog().delete("ov").await().atMost(Duration.ofSeconds(5));
        Eventually.await(TwoNodeNetworks.WAIT, () -> List.of(nodes.ns1, nodes.ns2).stream().allMatch(ns ->
                TwoNodeNetworks.link(ns, "acpvx4242").isEmpty() && TwoNodeNetworks.link(ns, "acp-ov").isEmpty()),
                "the VXLAN devices and bridges deleted on both nodes");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "gv1")).as("the guest's port survives, released").hasValueSatisfying(l -> assertThat(l.master()).isNull());
        assertThat(TwoNodeNetworks.link(nodes.ns1, "up0")).as("the underlay survives its overlay").isPresent();
    }

    @Test
    void forwardingEntriesFollowANodeThatLeavesAndComesBack() throws Exception {
        create("ov", OVERLAY);
        nodes.awaitState("ov", "up");
        awaitPeers(2, "[\"10.88.0.1\"]");

        nodes.cdb(1).putObject(NodeNetworks.key("ov"), "vxlan", Json.MAPPER.readTree("{\"uplink\": \"up0\", \"vni\": 4242, \"nodes\": [\"n2\"]}"), null)
                .await().atMost(Duration.ofSeconds(5));
        awaitPeers(2, "[]");
        assertThat(floodPeers(nodes.ns2)).as("n1's entry gone from n2's tunnel").isEmpty();
        assertThat(nodes.state(2, "ov", "n1")).isEqualTo("absent");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "acpvx4242")).isEmpty();

        nodes.cdb(1).putObject(NodeNetworks.key("ov"), "vxlan", Json.MAPPER.readTree(OVERLAY), null).await().atMost(Duration.ofSeconds(5));
        awaitPeers(2, "[\"10.88.0.1\"]");
        assertThat(floodPeers(nodes.ns2)).containsExactly("10.88.0.1");
        nodes.n1.attach("ov", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        nodes.n2.attach("ov", "gv2", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 3)).as("traffic once n1 is back").isTrue();
    }

    @Test
    void badOverlaysAreRefusedNamingTheRuleAndTheNetwork() throws Exception {
        assertThatThrownBy(() -> create("big", "{\"uplink\": \"up0\", \"vni\": 16777216}"))
                .isInstanceOf(AcpException.class).hasMessage("network big: VNI out of range: 16777216; a VNI is 1..16777215");
        assertThatThrownBy(() -> create("zero", "{\"uplink\": \"up0\", \"vni\": 0}")).hasMessageContaining("VNI out of range: 0");
        assertThatThrownBy(() -> create("nou", "{\"vni\": 7}")).hasMessageStartingWith("network nou: needs 'uplink'")
                .hasMessageContaining("underlay NIC");
        assertThatThrownBy(() -> create("far", "{\"uplink\": \"eth9\", \"vni\": 7}"))
                .hasMessageContaining("network far: unknown uplink eth9 on node n").hasMessageContaining("it has up0");
        create("ov", OVERLAY);
        assertThatThrownBy(() -> create("ov2", "{\"uplink\": \"up0\", \"vni\": 4242}"))
                .isInstanceOf(AcpException.class)
                .hasMessage("network ov2: duplicate VNI 4242: network ov already uses it; a VNI identifies one overlay in the cluster")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(nodes.cdb(1).object(NodeNetworks.key("ov2"))).as("nothing written").isEmpty();

        create("fat", "{\"uplink\": \"up0\", \"vni\": 9, \"mtu\": 1500}");
        nodes.awaitState("fat", "failed");
        assertThat(nodes.meta(1, "fat", "n2").orElseThrow().values().path("problem").asText())
                .isEqualTo("node n2: MTU 1500 does not fit the underlay: up0 on node n2 has MTU 1500 and VXLAN needs 50 bytes of headers, so at most 1450");
    }
}
