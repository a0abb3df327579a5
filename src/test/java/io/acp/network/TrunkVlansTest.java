package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * VLAN membership on a filtering trunk, against {@link FakeKernel}: the test machines' kernel has no
 * bridge VLAN filtering, so {@link NetworkKernelTest} can only show a trunk without it.
 */
class TrunkVlansTest {

    private final FakeKernel kernel = new FakeKernel();
    private final Cdb cdb = Cdb.inMemory("n1");
    private final BridgeNetworks bridges = new BridgeNetworks("n1", kernel, Optional.of(List.of("eth1")));
    private final NetworkSpec trunk = NetworkSpec.parse("tr", "trunk", Json.object().put("uplink", "eth1").set("vlans", Json.MAPPER.createArrayNode().add(10).add(20)));

    @Test
    void theUplinkCarriesEveryTrunkVlanTaggedAndASystemsTapGetsItsNicsVlanUntagged() {
        kernel.add("eth1", "", "52:00:00:00:00:01");
        assertThat(bridges.reconcile(List.of(trunk), id -> java.util.Set.of()).get("tr")).satisfies(s -> {
            assertThat(s.state()).isEqualTo("up");
            assertThat(s.vlanFiltering()).isTrue();
        });
        assertThat(kernel.changes).containsSubsequence("bridge acp-tr", "filtering acp-tr", "master eth1 acp-tr", "vlan eth1 10", "vlan eth1 20");

        cdb.putObject(new ObjectKey(ObjectType.SYSTEM, "vm1"), null, Json.object().set("interfaces", Json.MAPPER.createArrayNode()
                .add(Json.object().put("network", "tr").put("mac", "52:54:00:12:34:56").put("vlan", 20))), null).await().atMost(Duration.ofSeconds(5));
        kernel.add("vnet0", "tun", "fe:54:00:12:34:56"); // libvirt's tap of vm1's NIC
        kernel.add("vnet1", "tun", "fe:54:00:99:99:99"); // a NIC without a VLAN
        kernel.setMaster("vnet0", "acp-tr");
        kernel.setMaster("vnet1", "acp-tr");
        kernel.changes.clear();
        Map<String, NetworkSpec> nets = Map.of("tr", trunk);
        Map<String, List<String>> ports = bridges.samplePorts(List.of(trunk), BridgeNetworks.byName(kernel.links()),
                tap -> TapVlans.of(cdb, tap, nets));
        assertThat(ports.get("tr")).containsExactly("vnet0", "vnet1");
        assertThat(kernel.changes).containsExactlyInAnyOrder("vlan vnet0 20 pvid", "vlan vnet1 10", "vlan vnet1 20");

        kernel.changes.clear();
        bridges.samplePorts(List.of(trunk), BridgeNetworks.byName(kernel.links()), tap -> TapVlans.of(cdb, tap, nets));
        assertThat(kernel.changes).as("set once per port").isEmpty();
    }

    @Test
    void anExplicitAttachWithAVlanMakesItTheUntaggedVlanOfThePort() {
        kernel.add("eth1", "", "52:00:00:00:00:01");
        kernel.add("veth7", "veth", "02:11:11:11:11:11");
        bridges.reconcile(List.of(trunk), id -> java.util.Set.of());
        kernel.changes.clear();
        bridges.attach(trunk, "veth7", Optional.of(10));
        assertThat(kernel.changes).containsExactly("master veth7 acp-tr", "vlan veth7 10 pvid");
        assertThat(bridges.detach(trunk, "veth7")).isTrue();
        assertThat(kernel.links.get("veth7").master()).isNull();
    }

    @Test
    void aVlanNetworkPutsItsVlanDeviceOnTheBridgeAndRemovesBothWhenUnwanted() {
        kernel.add("eth1", "", "52:00:00:00:00:01");
        NetworkSpec vlan = NetworkSpec.parse("v5", "vlan", Json.object().put("uplink", "eth1").put("vlan", 5));
        assertThat(bridges.reconcile(List.of(vlan), id -> java.util.Set.of()).get("v5").uplinkDevice()).isEqualTo("eth1.5");
        assertThat(kernel.links.get("eth1.5").master()).isEqualTo("acp-v5");
        kernel.changes.clear();
        bridges.reconcile(List.of(vlan), id -> java.util.Set.of());
        assertThat(kernel.changes).as("nothing to do the second time").isEmpty();
        bridges.reconcile(List.of(), id -> java.util.Set.of());
        assertThat(kernel.changes).containsExactly("delete eth1.5", "delete acp-v5");
        assertThat(kernel.links).containsKey("eth1");
    }
}
