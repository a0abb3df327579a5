package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks on storage pools and interfaces on ACP networks, resolved through this node's meta as
 * docs/storage.md and docs/network.md define it ("Meta and stats") (written here as the storage and network services would), into the
 * domain real libvirt (test driver) defines and runs.
 */
class DeviceSourcesTest {

    @TempDir
    Path pool;

    private LibvirtNode node;
    private final String id = LibvirtNode.uniqueId("wired");

    @BeforeEach
    void start() {
        node = LibvirtNode.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static ObjectNode spec() {
        return SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"disks\":[{\"pool\":\"fast\",\"volume\":\"data.qcow2\",\"format\":\"qcow2\"}],"
                + "\"interfaces\":[{\"network\":\"v100\",\"mac\":\"52:54:00:00:01:00\",\"vlan\":20}]}");
    }

    private void poolMeta(String state) {
        node.cdb.putMeta(ObjectKey.of(ObjectType.STORAGE, "fast"), Json.object().put("state", state).put("kind", "dir").put("path", pool.toString()));
    }

    private void networkMeta(String state) {
        ObjectNode m = Json.object().put("state", state).put("bridge", "acpbr100");
        if (!state.equals("up")) {
            m.put("problem", "uplink eth9 is down");
        }
        node.cdb.putMeta(ObjectKey.of(ObjectType.NETWORK, "v100"), m);
    }

    @Test
    void aVolumeBecomesAFileInThePoolAndANetworkItsBridge() {
        poolMeta("ok");
        networkMeta("up");

        assertThat(node.systems().create(id, spec()).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");

        String xml = node.backend.get().xml(id).orElseThrow();
        assertThat(xml).contains("<source file='" + pool.resolve("data.qcow2") + "'/>");
        assertThat(xml).containsPattern("<interface type='bridge'>[\\s\\S]*<source bridge='acpbr100'/>");
        // The spec keeps what the user wrote: pool and volume, the network's name.
        assertThat(node.cdb.object(SystemReports.key(id)).orElseThrow().spec().path("disks").get(0).path("pool").asText()).isEqualTo("fast");
        // The network service finds the tap's VLAN in the stored NIC (network.md).
        assertThat(node.cdb.object(SystemReports.key(id)).orElseThrow().spec().path("interfaces").get(0).path("vlan").asInt()).isEqualTo(20);
        node.systems().delete(id, true).await().atMost(LibvirtNode.WAIT);
    }

    @Test
    void aNetworkNotUpOnThisNodeRefusesTheStartNamingIt() {
        poolMeta("ok");
        networkMeta("down");

        assertThatThrownBy(() -> node.systems().create(id, spec()).await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("network v100 is not up on node n1", "state down: uplink eth9 is down");
                });
        assertThat(node.backend.get().status(id)).isEmpty();
        assertThat(node.cdb.object(SystemReports.key(id))).as("the failed create leaves no object").isEmpty();
    }

    @Test
    void aPoolThisNodeDoesNotReportRefusesTheStart() {
        networkMeta("up");

        assertThatThrownBy(() -> node.systems().create(id, spec()).await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("storage pool fast is not usable on node n1", "reports nothing about it");
                });
    }

    @Test
    void aStartAfterTheNetworkWentDownIsRefusedAndOneAfterItCameBackRuns() {
        poolMeta("nearFull");
        networkMeta("up");
        node.systems().create(id, spec()).await().atMost(LibvirtNode.WAIT);
        node.systems().stop(id).await().atMost(LibvirtNode.WAIT);
        networkMeta("failed");

        assertThatThrownBy(() -> node.systems().start(id).await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(node.backend.get().status(id).orElseThrow().state()).isEqualTo(SystemState.STOPPED);

        networkMeta("up");
        assertThat(node.systems().start(id).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");
        node.systems().delete(id, true).await().atMost(LibvirtNode.WAIT);
    }

    @Test
    void aVlanNeedsANetwork() {
        ObjectNode bad = SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"interfaces\":[{\"bridge\":\"br0\",\"vlan\":20}]}");

        assertThatThrownBy(() -> SystemSpec.parse(id, bad))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("'interfaces[0].vlan' needs 'network'"));
    }

    @Test
    void aVolumeNameCannotLeaveThePool() {
        ObjectNode bad = SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"disks\":[{\"pool\":\"fast\",\"volume\":\"../etc/shadow\"}]}");

        assertThatThrownBy(() -> SystemSpec.parse(id, bad))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("'disks[0].volume'", "no '/'"));
        assertThatThrownBy(() -> SystemSpec.parse(id, SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"disks\":[{\"pool\":\"fast\"}]}")))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("'disks[0].volume' is required"));
    }
}
