package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vpp-vlan backend's command layer. No VPP can be installed here (Debian has no vpp package),
 * so vppctl is {@code fake-vppctl}, which answers with recorded VPP output (src/test/resources/vpp).
 */
class VppCtlTest {

    private static final String NIC = "GigabitEthernet0/8/0";

    @TempDir
    Path dir;

    private VppCtl vpp;

    @BeforeEach
    void fakeVpp() throws IOException {
        for (String f : List.of("fake-vppctl", "show-interface.txt", "sub-interface.txt")) {
            Files.copy(Path.of("src/test/resources/vpp", f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        dir.resolve("fake-vppctl").toFile().setExecutable(true);
        vpp = new VppCtl(new Commands(Optional.empty(), Duration.ofSeconds(10)), dir.resolve("fake-vppctl").toString());
    }

    @Test
    void showInterfaceIsReadWithEveryCounter() throws IOException {
        List<VppCtl.VppInterface> ifaces = VppCtl.parseShowInterface(Files.readString(Path.of("src/test/resources/vpp/show-interface.txt")));
        assertThat(ifaces).extracting(VppCtl.VppInterface::name).containsExactly(NIC, "GigabitEthernet0/9/0", "local0");
        VppCtl.VppInterface gig = ifaces.get(0);
        assertThat(gig.index()).isEqualTo(1);
        assertThat(gig.up()).isTrue();
        assertThat(gig.counters()).containsEntry("rx packets", 1456L).containsEntry("tx bytes", 97316L).containsEntry("ip4", 1401L);
        assertThat(gig.toCounters()).isEqualTo(new Counters(140258, 97316, 1456, 982, 0, 0, 12 + 3, 0));
        assertThat(ifaces.get(1).up()).isFalse();
        assertThat(ifaces.get(1).counters()).isEmpty();
    }

    @Test
    void aVppVlanNetworkIsCreatedUpCountedAndDeleted() throws IOException {
        VppNetworks nets = new VppNetworks("n1", vpp);
        NetworkSpec spec = NetworkSpec.parse("vv", "vpp-vlan", Json.object().put("uplink", NIC).put("vlan", 100));

        Map<String, NetworkState> states = nets.reconcile(List.of(spec));
        assertThat(states.get("vv").state()).isEqualTo("up");
        assertThat(states.get("vv").uplinkDevice()).isEqualTo(NIC + ".100");
        assertThat(vpp.interfaces()).filteredOn(i -> i.name().equals(NIC + ".100")).singleElement()
                .satisfies(i -> assertThat(i.up()).isTrue());
        assertThat(nets.sample(List.of(spec)).get("vv")).isEqualTo(new Counters(3920, 3724, 40, 38, 0, 1, 2, 0));

        nets.reconcile(List.of(spec));
        assertThat(calls()).filteredOn(c -> c.startsWith("create")).as("created once: the reconcile is idempotent").hasSize(1);

        nets.reconcile(List.of());
        assertThat(vpp.interfaces()).extracting(VppCtl.VppInterface::name).doesNotContain(NIC + ".100");
        assertThat(calls()).contains("delete sub-interface " + NIC + ".100");
    }

    @Test
    void aSubInterfaceThatExistedBeforeIsUsedButNeverDeleted() throws IOException {
        vpp.createSubInterface(NIC, 200);
        VppNetworks nets = new VppNetworks("n1", vpp);
        NetworkSpec spec = NetworkSpec.parse("vv", "vpp-vlan", Json.object().put("uplink", NIC).put("vlan", 200));
        assertThat(nets.reconcile(List.of(spec)).get("vv").state()).isEqualTo("up");
        nets.reconcile(List.of());
        assertThat(vpp.interfaces()).extracting(VppCtl.VppInterface::name).contains(NIC + ".200");
    }

    @Test
    void anUnknownVppInterfaceFailsTheNetworkNamingWhatVppHas() {
        VppNetworks nets = new VppNetworks("n1", vpp);
        NetworkSpec spec = NetworkSpec.parse("vv", "vpp-vlan", Json.object().put("uplink", "TenGigabitEthernet5/0/0").put("vlan", 7));
        NetworkState s = nets.reconcile(List.of(spec)).get("vv");
        assertThat(s.state()).isEqualTo("failed");
        assertThat(s.problem()).contains("VPP on node n1 has no interface TenGigabitEthernet5/0/0").contains(NIC).contains("local0");
    }

    @Test
    void vppsErrorsAreFailuresThoughVppctlExitsZero() {
        assertThatThrownBy(() -> vpp.createSubInterface("TenGigabitEthernet5/0/0", 7))
                .hasMessageContaining("VPP did not create TenGigabitEthernet5/0/0.7").hasMessageContaining("unknown interface");
        assertThatThrownBy(() -> vpp.setUp("nope.1")).hasMessageContaining("VPP refused the change of nope.1");
    }

    @Test
    void vppThatCannotBeRunFailsTheNetworkNamingTheCommand() {
        VppNetworks nets = new VppNetworks("n1", new VppCtl(new Commands(Optional.empty(), Duration.ofSeconds(5)), dir.resolve("no-vppctl").toString()));
        NetworkSpec spec = NetworkSpec.parse("vv", "vpp-vlan", Json.object().put("uplink", NIC).put("vlan", 7));
        assertThat(nets.reconcile(List.of(spec)).get("vv").problem()).contains("node n1: VPP cannot be reached").contains("no-vppctl");
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }
}
