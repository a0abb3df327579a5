package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.Eventually;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Networks realised by two network services in the real kernel, inside namespaces of a
 * {@link NetLab}: traffic between two guest namespaces through the nodes' bridges, counted in
 * stats; repair after links are deleted behind ACP's back; links ACP did not make left alone.
 */
@Timeout(120)
class NetworkKernelTest {

    private TwoNodeNetworks nodes;

    @BeforeEach
    void start() {
        nodes = new TwoNodeNetworks();
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private void create(String id, String subtype, String spec) throws Exception {
        nodes.catalog().create(id, subtype, Json.MAPPER.readTree(spec)).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aTrunkCarriesTrafficBetweenGuestsOnTwoNodesAndCountsIt() throws Exception {
        create("tr", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10, 20]}");
        nodes.awaitState("tr", "up");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "up0").orElseThrow().master()).isEqualTo("acp-tr");
        assertThat(TwoNodeNetworks.link(nodes.ns2, "acp-tr").orElseThrow().alias()).as("marked as n2's").isEqualTo("acp:network/tr@n2");

        nodes.n1.attach("tr", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        JsonNode after = nodes.n2.attach("tr", "gv2", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        assertThat(after.path("interfaces").toString()).contains("gv2");

        assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 5)).as("g1 pings g2 through acp-tr on n1, up0, acp-tr on n2").isTrue();
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.stats("tr", "n1", 2).getOrDefault("gv1.txPackets", 0.0) >= 5
                && nodes.stats("tr", "n2", 1).getOrDefault("rxPackets", 0.0) >= 10,
                () -> "the pings counted in both nodes' stats: n1 " + nodes.stats("tr", "n1", 2) + ", n2 " + nodes.stats("tr", "n2", 1));
        assertThat(nodes.meta(2, "tr", "n1").orElseThrow().values().path("interfaces").toString()).contains("gv1");
        // A tap made the way libvirt makes a system's: discovered as a port, counted, forgotten when it goes.
        NetLab.sh("ip", "-n", nodes.ns1, "tuntap", "add", "vnet0", "mode", "tap");
        NetLab.sh("ip", "-n", nodes.ns1, "link", "set", "vnet0", "master", "acp-tr");
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.meta(2, "tr", "n1").orElseThrow().values().path("interfaces").toString().equals("[\"gv1\",\"vnet0\"]")
                && nodes.stats("tr", "n1", 2).containsKey("vnet0.txPackets"), "the tap vnet0 reported as a port of tr on n1");
        NetLab.sh("ip", "-n", nodes.ns1, "link", "del", "vnet0");
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.meta(2, "tr", "n1").orElseThrow().values().path("interfaces").toString().equals("[\"gv1\"]"),
                "vnet0 gone from tr's ports");
        // This kernel may lack bridge VLAN filtering: then the trunk carries every VLAN, and says so.
        assertThat(nodes.meta(1, "tr", "n1").orElseThrow().values().has("vlanFiltering")).isTrue();
    }

    @Test
    void aVlanNetworkIsRealisedOnTwoNodesOrFailsNamingTheMissingKernelSupport() throws Exception {
        boolean vlans = nodes.lab.kernelHasVlans();
        create("v100", "vlan", "{\"uplink\": \"up0\", \"vlan\": 100}");
        if (vlans) {
            nodes.awaitState("v100", "up");
            assertThat(TwoNodeNetworks.link(nodes.ns1, "up0.100").orElseThrow().master()).isEqualTo("acp-v100");
            nodes.n1.attach("v100", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(10));
            nodes.n2.attach("v100", "gv2", Optional.empty()).await().atMost(Duration.ofSeconds(10));
            assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 5)).as("g1 pings g2 over VLAN 100").isTrue();
            Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.stats("v100", "n1", 1).getOrDefault("txPackets", 0.0) >= 5,
                    () -> "pings counted: " + nodes.stats("v100", "n1", 1));
            NetLab.sh("ip", "-n", nodes.ns2, "link", "del", "up0.100");
            nodes.awaitState("v100", "up");
            Eventually.await(TwoNodeNetworks.WAIT, () -> TwoNodeNetworks.link(nodes.ns2, "up0.100").isPresent(), "up0.100 recreated");
            assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 3)).as("traffic again after the repair").isTrue();
        } else {
            nodes.awaitState("v100", "failed");
            assertThat(nodes.meta(1, "v100", "n2").orElseThrow().values().path("problem").asText())
                    .contains("node n2").contains("802.1Q").contains("up0.100");
        }
    }

    @Test
    void aBridgeDeletedBehindAcpsBackIsRecreatedWithItsPorts() throws Exception {
        create("tr", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10]}");
        nodes.awaitState("tr", "up");
        nodes.n1.attach("tr", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        nodes.n2.attach("tr", "gv2", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 2)).isTrue();

        NetLab.sh("ip", "-n", nodes.ns1, "link", "del", "acp-tr");
        Eventually.await(TwoNodeNetworks.WAIT, () -> TwoNodeNetworks.link(nodes.ns1, "gv1").map(l -> "acp-tr".equals(l.master())).orElse(false)
                && TwoNodeNetworks.link(nodes.ns1, "up0").map(l -> "acp-tr".equals(l.master())).orElse(false),
                "acp-tr recreated on n1 with up0 and gv1 as ports again");
        nodes.awaitState("tr", "up");
        assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 3)).as("traffic again after the repair").isTrue();
    }

    @Test
    void linksAcpDidNotCreateAreLeftAlone() throws Exception {
        NetLab.sh("ip", "-n", nodes.ns1, "link", "add", "br-own", "type", "bridge");
        NetLab.sh("ip", "-n", nodes.ns1, "link", "add", "acp-keep", "type", "bridge");
        NetLab.sh("ip", "-n", nodes.ns1, "link", "set", "acp-keep", "alias", "someone else's");
        create("keep", "trunk", "{\"uplink\": \"up0\", \"vlans\": [30], \"nodes\": [\"n1\"]}");
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.state(1, "keep", "n1").equals("failed"), "keep failed on n1");
        assertThat(nodes.meta(1, "keep", "n1").orElseThrow().values().path("problem").asText())
                .contains("acp-keep").contains("node n1").contains("not created by ACP");
        assertThat(nodes.meta(1, "keep", "n2")).as("n2 does not realise it").isEmpty();
        nodes.n1.reconcileNow().await().atMost(Duration.ofSeconds(10));
        assertThat(TwoNodeNetworks.link(nodes.ns1, "acp-keep").orElseThrow().alias()).isEqualTo("someone else's");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "br-own")).isPresent();
        assertThat(TwoNodeNetworks.link(nodes.ns1, "up0").orElseThrow().master()).as("not taken by the failed network").isNull();

        nodes.catalog().delete("keep").await().atMost(Duration.ofSeconds(5));
        create("tr", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10]}");
        nodes.awaitState("tr", "up");
        nodes.catalog().delete("tr").await().atMost(Duration.ofSeconds(5));
        Eventually.await(TwoNodeNetworks.WAIT, () -> TwoNodeNetworks.link(nodes.ns1, "acp-tr").isEmpty()
                && TwoNodeNetworks.link(nodes.ns2, "acp-tr").isEmpty(), "acp-tr deleted on both nodes");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "br-own")).isPresent();
        assertThat(TwoNodeNetworks.link(nodes.ns1, "acp-keep")).isPresent();
        assertThat(TwoNodeNetworks.link(nodes.ns1, "up0")).as("the uplink survives its trunk").isPresent();
    }

    /**
     * A second ACP node started in n1's namespace by mistake (its own cluster, so it knows none of
     * n1's networks) leaves n1's links alone: it neither deletes them nor takes them for a network
     * of the same name, and says which node made them. Before links named their node, its reconcile
     * deleted every ACP link it did not know within a reconcile interval.
     */
    @Test
    void anotherAcpNodeInTheSameNamespaceLeavesTheLinksAlone() throws Exception {
        create("tr", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10]}");
        nodes.awaitState("tr", "up");
        nodes.n1.attach("tr", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        nodes.n2.attach("tr", "gv2", Optional.empty()).await().atMost(Duration.ofSeconds(10));
        Link before = TwoNodeNetworks.link(nodes.ns1, "acp-tr").orElseThrow();

        Cdb strayCdb = Cdb.inMemory("stray");
        NetworkService stray = TwoNodeNetworks.start(strayCdb, "stray", nodes.ns1);
        try {
            stray.reconcileNow().await().atMost(Duration.ofSeconds(10));
            stray.reconcileNow().await().atMost(Duration.ofSeconds(10));
            Link after = TwoNodeNetworks.link(nodes.ns1, "acp-tr").orElseThrow(() -> new AssertionError("the stray node deleted n1's acp-tr"));
            assertThat(after.alias()).isEqualTo("acp:network/tr@n1");
            assertThat(after.mac()).as("the same bridge, not one made again").isEqualTo(before.mac());
            assertThat(TwoNodeNetworks.link(nodes.ns1, "gv1").orElseThrow().master()).isEqualTo("acp-tr");
            // said where an operator looks: the stray's network service is unhealthy (an alarm), naming n1 and its link
            assertThat(stray.health().healthy()).isFalse();
            assertThat(stray.health().detail()).contains("node stray").contains(nodes.ns1).contains("ACP node n1").contains("acp-tr")
                    .contains("acp.network.namespace");
            assertThat(nodes.n1.health().healthy()).as("n1 made the links: nothing of another node's in its namespace").isTrue();

            // a network of the same id in the stray node's own cluster finds the bridge n1 made, and leaves it
            strayCdb.putObject(NodeNetworks.key("tr"), "trunk", Json.MAPPER.readTree("{\"uplink\": \"up0\", \"vlans\": [10]}"), null)
                    .await().atMost(Duration.ofSeconds(5));
            stray.reconcileNow().await().atMost(Duration.ofSeconds(10));
            Eventually.await(TwoNodeNetworks.WAIT, () -> strayCdb.meta(NodeNetworks.key("tr"), "stray").stream()
                    .anyMatch(m -> m.values().path("state").asText().equals("failed")), "tr failed on the stray node");
            assertThat(strayCdb.meta(NodeNetworks.key("tr"), "stray").get(0).values().path("problem").asText())
                    .contains("acp-tr").contains("created by ACP node n1").contains("not by node stray");
            assertThat(TwoNodeNetworks.link(nodes.ns1, "acp-tr").orElseThrow().mac()).isEqualTo(before.mac());
        } finally {
            stray.stop().await().atMost(Duration.ofSeconds(10));
            strayCdb.close();
        }
        assertThat(nodes.lab.ping(nodes.g1, "10.77.0.2", 2)).as("n1's network still carries traffic").isTrue();
        nodes.n1.reconcileNow().await().atMost(Duration.ofSeconds(10));
        assertThat(nodes.state(1, "tr", "n1")).isEqualTo("up");
    }

    /** A link marked before marks named their node is the node's own: kept while wanted, deleted with its network. */
    @Test
    void aLinkMarkedWithoutItsNodeIsTakenAsTheNodesOwn() throws Exception {
        create("tr", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10]}");
        nodes.awaitState("tr", "up");
        NetLab.sh("ip", "-n", nodes.ns1, "link", "set", "acp-tr", "alias", "acp:network/tr");
        String mac = TwoNodeNetworks.link(nodes.ns1, "acp-tr").orElseThrow().mac();
        nodes.n1.reconcileNow().await().atMost(Duration.ofSeconds(10));
        assertThat(nodes.state(1, "tr", "n1")).isEqualTo("up");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "acp-tr").orElseThrow().mac()).isEqualTo(mac);

        nodes.catalog().delete("tr").await().atMost(Duration.ofSeconds(5));
        Eventually.await(TwoNodeNetworks.WAIT, () -> TwoNodeNetworks.link(nodes.ns1, "acp-tr").isEmpty(), "n1 deletes its acp-tr with the network");
    }

    @Test
    void aNodeTheNetworkNoLongerNamesRemovesItsLinksAndSaysAbsent() throws Exception {
        create("tr", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10]}");
        nodes.awaitState("tr", "up");
        nodes.cdb(1).putObject(NodeNetworks.key("tr"), "trunk", Json.MAPPER.readTree("{\"uplink\": \"up0\", \"vlans\": [10], \"nodes\": [\"n2\"]}"), null)
                .await().atMost(Duration.ofSeconds(5));
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.state(2, "tr", "n1").equals("absent") && TwoNodeNetworks.link(nodes.ns1, "acp-tr").isEmpty(),
                () -> "n1 absent without acp-tr; meta " + nodes.meta(2, "tr", "n1"));
        assertThat(nodes.state(1, "tr", "n2")).isEqualTo("up");
        assertThat(TwoNodeNetworks.link(nodes.ns1, "up0").orElseThrow().master()).isNull();
    }

    @Test
    void nicsAndUplinksAreReportedBesideTheFrameworksFields() {
        io.acp.model.ObjectKey service = new io.acp.model.ObjectKey(io.acp.model.ObjectType.SERVICE, "n1:network");
        nodes.cdb(1).putMeta(service, Json.object().put("state", "running").put("healthy", true)); // as the framework writes it
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.cdb(2).meta(service, "n1").stream()
                .anyMatch(m -> m.values().path("state").asText().equals("running") && m.values().has("nics")), "NICs merged into the framework's meta");
        JsonNode meta = nodes.cdb(2).meta(service, "n1").get(0).values();
        Link up0 = TwoNodeNetworks.link(nodes.ns1, "up0").orElseThrow();
        assertThat(meta.path("uplinks").toString()).isEqualTo("[\"up0\"]");
        assertThat(meta.path("namespace").asText()).isEqualTo(nodes.ns1);
        assertThat(meta.path("nics")).singleElement().satisfies(nic -> {
            assertThat(nic.path("name").asText()).isEqualTo("up0");
            assertThat(nic.path("mac").asText()).isEqualTo(up0.mac());
            assertThat(nic.path("mtu").asInt()).isEqualTo(1500);
            assertThat(nic.path("link").asText()).isEqualTo("up");
            assertThat(nic.has("speedMbps")).isTrue();
        });
        Eventually.await(TwoNodeNetworks.WAIT, () -> nodes.cdb(1).stats(service, "n1").stream()
                .anyMatch(s -> s.values().containsKey("up0.rxBytes") && s.values().containsKey("up0.txDrops")), "up0's counters in stats");
    }

    @Test
    void badNetworksAreRefusedWithClearErrors() throws Exception {
        assertThatThrownBy(() -> create("v", "vlan", "{\"uplink\": \"up0\", \"vlan\": 4095}"))
                .isInstanceOf(AcpException.class).hasMessageContaining("invalid VLAN id 4095").hasMessageContaining("1..4094");
        assertThatThrownBy(() -> create("v", "trunk", "{\"uplink\": \"up0\", \"vlans\": [10, 0]}"))
                .hasMessageContaining("invalid VLAN id 0");
        assertThatThrownBy(() -> create("v", "vlan", "{\"uplink\": \"eth9\", \"vlan\": 5}"))
                .isInstanceOf(AcpException.class).hasMessageContaining("unknown uplink eth9 on node n").hasMessageContaining("it has up0");
        assertThatThrownBy(() -> create("v", "vlan", "{\"uplink\": \"up0\", \"vlan\": 5, \"nodes\": [\"n7\"]}"))
                .hasMessageContaining("node n7 has not reported its uplinks");
        create("v", "vlan", "{\"uplink\": \"up0\", \"vlan\": 5}");
        assertThatThrownBy(() -> create("v", "trunk", "{\"uplink\": \"up0\", \"vlans\": [5]}"))
                .isInstanceOf(AcpException.class).hasMessageContaining("network v already exists")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        assertThatThrownBy(() -> nodes.catalog().show("nope"))
                .hasMessageContaining("unknown network nope").satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> nodes.n1.attach("nope", "gv1", Optional.empty()).await().atMost(Duration.ofSeconds(5)))
                .hasMessageContaining("unknown network nope");
    }
}
