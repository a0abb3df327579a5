package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkSpecTest {

    private static NetworkSpec parse(String subtype, String json) throws Exception {
        return NetworkSpec.parse("net1", subtype, Json.MAPPER.readTree(json));
    }

    @Test
    void specsOfEachKindAreReadAndWrittenBack() throws Exception {
        NetworkSpec v = parse("vlan", "{\"uplink\": \"eth0\", \"vlan\": 100, \"mtu\": 9000, \"nodes\": [\"n1\"]}");
        assertThat(v.vlan()).isEqualTo(100);
        assertThat(v.realisedOn("n1")).isTrue();
        assertThat(v.realisedOn("n2")).isFalse();
        assertThat(v.toJson().toString()).isEqualTo("{\"uplink\":\"eth0\",\"vlan\":100,\"mtu\":9000,\"nodes\":[\"n1\"]}");
        NetworkSpec t = parse("trunk", "{\"uplink\": \"eth1\", \"vlans\": [10, 4094]}");
        assertThat(t.vlans()).containsExactly(10, 4094);
        assertThat(t.realisedOn("any")).isTrue();
        assertThat(parse("vpp-vlan", "{\"uplink\": \"GigabitEthernet0/8/0\", \"vlan\": 1}").uplink()).isEqualTo("GigabitEthernet0/8/0");
        NetworkSpec x = parse("vxlan", "{\"uplink\": \"eth0\", \"vni\": 16777215, \"port\": 8472, \"group\": \"239.1.1.42\"}");
        assertThat(x.vxlan()).isEqualTo(new Vxlan(16777215, 8472, "239.1.1.42"));
        assertThat(x.toJson().toString()).isEqualTo("{\"uplink\":\"eth0\",\"vni\":16777215,\"port\":8472,\"group\":\"239.1.1.42\"}");
        assertThat(parse("vxlan", "{\"uplink\": \"eth0\", \"vni\": 1}").vxlan().unicast()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "vlan|{\"uplink\": \"eth0\", \"vlan\": 0}|invalid VLAN id 0: VLAN ids are 1..4094",
        "vlan|{\"uplink\": \"eth0\", \"vlan\": 4095}|invalid VLAN id 4095",
        "vlan|{\"uplink\": \"eth0\", \"vlan\": \"7\"}|invalid VLAN id \"7\"",
        "vlan|{\"uplink\": \"eth0\"}|needs 'vlan'",
        "vlan|{\"uplink\": \"eth0\", \"vlans\": [1]}|has one 'vlan', not 'vlans'",
        "trunk|{\"uplink\": \"eth0\", \"vlans\": []}|a trunk needs 'vlans'",
        "trunk|{\"uplink\": \"eth0\", \"vlans\": [5, 5]}|VLAN 5 is listed twice",
        "trunk|{\"uplink\": \"eth0\", \"vlan\": 5}|not 'vlan'",
        "vlan|{\"vlan\": 5}|needs 'uplink'",
        "vlan|{\"uplink\": \"a-very-long-link-name\", \"vlan\": 5}|not a valid link name",
        "vlan|{\"uplink\": \"eth0/1\", \"vlan\": 5}|not a valid link name",
        "vlan|{\"uplink\": \"eth0\", \"vlan\": 5, \"mtu\": 20}|'mtu' must be an integer 68..65535",
        "vlan|{\"uplink\": \"eth0\", \"vlan\": 5, \"nodes\": []}|'nodes' must be a non-empty list",
        "vlan|{\"uplink\": \"eth0\", \"vlan\": 5, \"colour\": 1}|unknown field 'colour'",
        "vxlan|{\"uplink\": \"eth0\", \"vni\": 16777216}|VNI out of range: 16777216; a VNI is 1..16777215",
        "vxlan|{\"uplink\": \"eth0\"}|a vxlan network needs 'vni'",
        "vxlan|{\"vni\": 5}|needs 'uplink': the name of the node's underlay NIC",
        "vxlan|{\"uplink\": \"eth0\", \"vni\": 5, \"vlan\": 3}|identified by its 'vni', not by VLANs",
        "vxlan|{\"uplink\": \"eth0\", \"vni\": 5, \"port\": 70000}|'port' must be a UDP port 1..65535",
        "vxlan|{\"uplink\": \"eth0\", \"vni\": 5, \"group\": \"10.0.0.1\"}|'group' must be an IPv4 multicast address",
        "vlan|{\"uplink\": \"eth0\", \"vlan\": 5, \"vni\": 3}|'vni' belongs to vxlan networks, not to a vlan network",
        "bond|{\"uplink\": \"eth0\", \"vlan\": 5}|subtype must be one of vlan, trunk, vpp-vlan, vxlan"})
    void badSpecsAreRefusedNamingTheNetworkAndTheField(String subtype, String json, String message) {
        assertThatThrownBy(() -> parse(subtype, json)).isInstanceOf(AcpException.class)
                .hasMessageStartingWith("network net1: ").hasMessageContaining(message)
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void linkNamesFitTheKernelsFifteenBytes() {
        assertThat(LinkNames.bridge("lan")).isEqualTo("acp-lan");
        assertThat(LinkNames.bridge("a-rather-long-network")).hasSize(14).startsWith("acp-").isNotEqualTo(LinkNames.bridge("a-rather-long-networK"));
        assertThat(LinkNames.bridge("with.dot")).startsWith("acp-").hasSizeLessThanOrEqualTo(15);
        assertThat(LinkNames.vlanDevice("eth0", 100)).isEqualTo("eth0.100");
        assertThat(LinkNames.vlanDevice("enp129s0f1np1", 4094)).hasSizeLessThanOrEqualTo(15).endsWith(".4094");
    }
}
