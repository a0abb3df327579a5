package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/**
 * {@code hypervisor.set} on real libvirt (test driver): a running system's memory and vCPUs change live
 * up to the maxima it started with, as libvirt's own answer ({@code virDomainGetInfo}, read on a
 * connection of the test's own) shows; everything else is pending, with the reason.
 */
class LiveSystemEditTest {

    private LibvirtNode node;
    private final String id = LibvirtNode.uniqueId("live");

    @BeforeEach
    void start() {
        node = LibvirtNode.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static ObjectNode spec() {
        return SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"maxVcpus\":4,\"maxMemory\":512}");
    }

    private ObjectNode set(String changes) {
        return node.systems().set(id, SystemLifecycleTest.json(changes)).await().atMost(LibvirtNode.WAIT);
    }

    /** What libvirt says of the domain, on a connection of this test (test:///default is shared within the process). */
    private DomainInfo libvirtInfo() throws LibvirtException {
        Connect c = new Connect("test:///default");
        try {
            return c.domainLookupByName(id).getInfo();
        } finally {
            c.close();
        }
    }

    private JsonNode stored() {
        return node.cdb.object(SystemReports.key(id)).orElseThrow().spec();
    }

    @Test
    void theDomainStartsWithRoomToGrow() {
        String xml = DomainXml.of(SystemSpec.parse(id, spec()), "test");
        assertThat(xml).contains("<vcpu current='1'>4</vcpu>")
                .contains("<memory unit='MiB'>512</memory>")
                .contains("<currentMemory unit='MiB'>128</currentMemory>");
        assertThat(DomainXml.of(SystemSpec.parse(id, Json.object().put("vcpus", 2).put("memory", 64)), "test"))
                .as("no maxima: no room").contains("<vcpu>2</vcpu>").contains("<memory unit='MiB'>64</memory>");
    }

    @Test
    void aRunningSystemGetsMemoryAndVcpusLiveWithinItsMaxima() throws LibvirtException {
        node.systems().create(id, spec(), true, null).await().atMost(LibvirtNode.WAIT);
        assertThat(libvirtInfo().nrVirtCpu).isEqualTo(1);
        assertThat(libvirtInfo().memory).isEqualTo(128 * 1024);

        JsonNode r = set("{\"vcpus\":3,\"memory\":384}");

        assertThat(r.path("live")).extracting(JsonNode::asText).containsExactlyInAnyOrder("vcpus", "memory");
        assertThat(r.path("pending")).isEmpty();
        assertThat(r.path("fields").path("vcpus").path("applied").asText()).isEqualTo("live");
        assertThat(r.path("applies").asText()).isEqualTo("now");
        assertThat(libvirtInfo().nrVirtCpu).as("hot-plugged").isEqualTo(3);
        assertThat(libvirtInfo().memory).as("ballooned, KiB").isEqualTo(384 * 1024);
        assertThat(stored().path("vcpus").asInt()).isEqualTo(3);
        assertThat(stored().path("memory").asInt()).isEqualTo(384);
    }

    @Test
    void aChangeAboveTheMaximumOrToDevicesIsPendingWithItsReason() throws LibvirtException {
        node.systems().create(id, spec(), true, null).await().atMost(LibvirtNode.WAIT);

        JsonNode r = set("{\"vcpus\":6,\"maxVcpus\":8,\"memory\":256,\"interfaces\":[{\"bridge\":\"acpbr0\"}]}");

        assertThat(r.path("live")).extracting(JsonNode::asText).containsExactly("memory");
        assertThat(r.path("pending")).extracting(JsonNode::asText).containsExactlyInAnyOrder("vcpus", "maxVcpus", "interfaces");
        assertThat(r.path("fields").path("vcpus").path("why").asText()).contains("above the maximum of 4 vCPUs defined at start");
        // a NIC added at the end is hot-plugged where the driver can; the test driver cannot, and says so
        assertThat(r.path("fields").path("interfaces").path("why").asText())
                .startsWith("the hypervisor refused to hot-plug the NIC (").contains("virDomainAttachDeviceFlags").endsWith("; it applies at the next start");
        assertThat(r.path("fields").path("maxVcpus").path("why").asText()).contains("fixed when the domain starts");
        assertThat(r.path("applies").asText()).startsWith("at the next start for ").contains("the system is running");
        assertThat(libvirtInfo().nrVirtCpu).as("not hot-plugged past the maximum").isEqualTo(1);
        assertThat(libvirtInfo().memory).isEqualTo(256 * 1024);
        assertThat(stored().path("vcpus").asInt()).as("stored for the next start").isEqualTo(6);
        assertThat(pendingInMeta()).containsExactly("interfaces", "maxVcpus", "vcpus");

        JsonNode over = set("{\"memory\":1024,\"maxMemory\":2048}");
        assertThat(over.path("fields").path("memory").path("why").asText()).contains("above the maximum of 512 MiB defined at start");
        assertThat(libvirtInfo().memory).isEqualTo(256 * 1024);
        assertThat(pendingInMeta()).containsExactly("interfaces", "maxMemory", "maxVcpus", "memory", "vcpus");

        JsonNode back = set("{\"memory\":200,\"maxMemory\":512}");
        assertThat(back.path("live")).extracting(JsonNode::asText).containsExactly("memory");
        assertThat(pendingInMeta()).as("memory is in the domain again; maxMemory is back to what it started with, still noted")
                .containsExactly("interfaces", "maxMemory", "maxVcpus", "vcpus");

        node.systems().stop(id).await().atMost(LibvirtNode.WAIT);
        node.systems().start(id).await().atMost(LibvirtNode.WAIT);
        assertThat(pendingInMeta()).as("all in the domain defined at this start").isEmpty();
        assertThat(libvirtInfo().nrVirtCpu).isEqualTo(6);
    }

    /**
     * Disks added at or removed from the end of the list are what hot-plug may change: the test
     * driver refuses to attach (no virDomainAttachDeviceFlags), and the answer carries libvirt's word;
     * a reorder would move the other disks' targets, so it is pending without asking libvirt.
     */
    @Test
    void aDiskAddedAtTheEndIsHotPluggedWhereTheDriverCanAndAReorderIsPending() {
        ObjectNode spec = spec();
        spec.set("disks", SystemLifecycleTest.json("{\"d\":[{\"path\":\"/var/lib/acp/a.img\",\"format\":\"raw\"}]}").get("d"));
        node.systems().create(id, spec, true, null).await().atMost(LibvirtNode.WAIT);

        JsonNode added = set("{\"disks\":[{\"path\":\"/var/lib/acp/a.img\",\"format\":\"raw\"},{\"path\":\"/var/lib/acp/b.img\",\"format\":\"raw\"}]}");
        assertThat(added.path("fields").path("disks").path("applied").asText()).isEqualTo("pending");
        assertThat(added.path("fields").path("disks").path("why").asText())
                .startsWith("the hypervisor refused to hot-plug the disk (").contains("virDomainAttachDeviceFlags");

        JsonNode reordered = set("{\"disks\":[{\"path\":\"/var/lib/acp/b.img\",\"format\":\"raw\"},{\"path\":\"/var/lib/acp/a.img\",\"format\":\"raw\"}]}");
        assertThat(reordered.path("fields").path("disks").path("why").asText())
                .isEqualTo("only disks added at or removed from the end of the list are hot-plugged (the others' targets would change); "
                        + "it applies at the next start");

        JsonNode forbidden = set("{\"disks\":[{\"path\":\"/var/lib/acp/b.img\",\"format\":\"raw\"},{\"path\":\"/var/lib/acp/a.img\",\"format\":\"raw\"},"
                + "{\"pool\":\"nopool\",\"volume\":\"c.img\",\"format\":\"raw\"}]}");
        assertThat(forbidden.path("fields").path("disks").path("why").asText()).as("%s", forbidden)
                .startsWith("disks not hot-plugged: ").contains("nopool");
        assertThat(pendingInMeta()).containsExactly("disks");
    }

    private java.util.List<String> pendingInMeta() {
        java.util.List<String> out = new java.util.ArrayList<>();
        node.cdb.meta(SystemReports.key(id), LibvirtNode.NODE).get(0).values().path("pending").forEach(f -> out.add(f.asText()));
        return out;
    }

    @Test
    void aStoppedSystemsChangeIsPendingAndAppliesAtItsStart() throws LibvirtException {
        node.systems().create(id, spec(), false, null).await().atMost(LibvirtNode.WAIT);

        JsonNode r = set("{\"vcpus\":2}");

        assertThat(r.path("pending")).extracting(JsonNode::asText).containsExactly("vcpus");
        assertThat(r.path("fields").path("vcpus").path("why").asText()).contains("the system is stopped");
        assertThat(r.path("applies").asText()).isEqualTo("at the next start");
        assertThat(pendingInMeta()).containsExactly("vcpus");
        node.systems().start(id).await().atMost(LibvirtNode.WAIT);
        assertThat(libvirtInfo().nrVirtCpu).isEqualTo(2);
        assertThat(pendingInMeta()).isEmpty();
    }

    @Test
    void aMaximumBelowTheCurrentValueIsRefusedNamingTheRuleAndChangesNothing() {
        node.systems().create(id, spec(), false, null).await().atMost(LibvirtNode.WAIT);
        JsonNode before = stored().deepCopy();

        assertThatThrownBy(() -> set("{\"vcpus\":5}")).isInstanceOf(AcpException.class)
                .hasMessageContaining("system " + id + ": field 'maxVcpus' must be at least 'vcpus' (5)");
        assertThatThrownBy(() -> set("{\"maxMemory\":64}")).isInstanceOf(AcpException.class)
                .hasMessageContaining("system " + id + ": field 'maxMemory' must be at least 'memory' (128 MiB)");
        assertThat(stored()).isEqualTo(before);
    }
}
