package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots through libvirt's test driver: taken of running and stopped systems, listed with their
 * parent chain in the CDB, reverted to and deleted; disks that cannot hold snapshots refused by name.
 */
class SystemSnapshotTest {

    private LibvirtNode node;
    private final String web = LibvirtNode.uniqueId("snapweb");

    @BeforeEach
    void start() {
        node = LibvirtNode.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static ObjectNode spec(String disks) {
        return SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"disks\":" + disks + "}");
    }

    private static final String QCOW2 = "[{\"path\":\"/var/lib/acp/snapweb.qcow2\",\"format\":\"qcow2\"},"
            + "{\"path\":\"/var/lib/acp/install.iso\",\"format\":\"raw\",\"bus\":\"sata\",\"readonly\":true}]";

    private JsonNode meta(String id) {
        return node.cdb.meta(SystemReports.key(id), LibvirtNode.NODE).get(0).values();
    }

    /** name:parent of each snapshot in this node's meta, oldest first. */
    private List<String> chain(String id) {
        List<String> out = new ArrayList<>();
        meta(id).path("snapshots").forEach(s -> out.add(s.path("name").asText() + ":" + (s.path("parent").isNull() ? "-" : s.path("parent").asText())));
        return out;
    }

    @Test
    void snapshotsOfARunningSystemFormAChainInTheCdbAndRevertAndDeleteFollowIt() {
        Systems s = node.systems();
        s.create(web, spec(QCOW2)).await().atMost(LibvirtNode.WAIT);

        JsonNode first = s.snapshotCreate(web, "s1", false, "before the upgrade").await().atMost(LibvirtNode.WAIT);
        assertThat(first.path("snapshot").path("name").asText()).isEqualTo("s1");
        assertThat(first.path("snapshot").path("parent").isNull()).isTrue();
        assertThat(first.path("snapshot").path("memory").asBoolean()).as("a running system's snapshot holds its memory").isTrue();
        assertThat(first.path("snapshot").path("state").asText()).isEqualTo("running");
        assertThat(first.path("snapshot").path("description").asText()).isEqualTo("before the upgrade");
        s.snapshotCreate(web, "s2", true, null).await().atMost(LibvirtNode.WAIT);
        assertThat(chain(web)).containsExactly("s1:-", "s2:s1");
        assertThat(meta(web).path("currentSnapshot").asText()).isEqualTo("s2");
        assertThat(node.backend.get().snapshotNames(web)).containsExactlyInAnyOrder("s1", "s2");

        JsonNode reverted = s.snapshotRevert(web, "s1").await().atMost(LibvirtNode.WAIT);
        assertThat(reverted.path("reverted").asBoolean()).isTrue();
        assertThat(reverted.path("state").asText()).as("a memory snapshot resumes the guest").isEqualTo("running");
        assertThat(meta(web).path("currentSnapshot").asText()).isEqualTo("s1");
        s.snapshotCreate(web, "s3", false, null).await().atMost(LibvirtNode.WAIT);
        assertThat(chain(web)).as("s3 branches off s1, the current one").containsExactly("s1:-", "s2:s1", "s3:s1");

        s.stop(web).await().atMost(LibvirtNode.WAIT);
        assertThat(meta(web).path("state").asText()).isEqualTo("stopped");
        assertThat(chain(web)).as("the report's change keeps the snapshots in meta").hasSize(3);

        s.snapshotDelete(web, "s1").await().atMost(LibvirtNode.WAIT);
        assertThat(chain(web)).as("s1's children take its parent (none)").containsExactly("s2:-", "s3:-");
        JsonNode listed = s.snapshotList(web).await().atMost(LibvirtNode.WAIT);
        assertThat(listed.path("snapshots").findValuesAsText("name")).containsExactly("s2", "s3");

        s.delete(web).await().atMost(LibvirtNode.WAIT);
        assertThat(node.backend.get().status(web)).as("a system with snapshots is deleted too").isEmpty();
    }

    @Test
    void aStoppedSystemGetsADiskSnapshotThatRevertsOnlyWhileStopped() {
        Systems s = node.systems();
        s.create(web, spec(QCOW2)).await().atMost(LibvirtNode.WAIT);
        s.stop(web).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.snapshotCreate(web, "m", true, null).await().atMost(LibvirtNode.WAIT))
                .isInstanceOf(AcpException.class).hasMessageContaining("cannot snapshot the memory of system " + web + ": it is stopped on node n1")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        JsonNode cold = s.snapshotCreate(web, "cold", false, null).await().atMost(LibvirtNode.WAIT).path("snapshot");
        assertThat(cold.path("memory").asBoolean()).isFalse();
        assertThat(cold.path("state").asText()).isEqualTo("stopped");

        s.start(web).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.snapshotRevert(web, "cold").await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule revert-disk-only-stopped: snapshot cold of system " + web + " holds only disks, and the system is running")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        s.stop(web).await().atMost(LibvirtNode.WAIT);
        JsonNode reverted = s.snapshotRevert(web, "cold").await().atMost(LibvirtNode.WAIT);
        assertThat(reverted.path("state").asText()).isEqualTo("stopped");
        assertThat(meta(web).path("currentSnapshot").asText()).isEqualTo("cold");
    }

    @Test
    void badRequestsNameTheSystemTheSnapshotAndTheRule() throws Exception {
        Systems s = node.systems();
        s.create(web, spec(QCOW2)).await().atMost(LibvirtNode.WAIT);
        s.snapshotCreate(web, "s1", false, null).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.snapshotCreate(web, "s1", false, null).await().atMost(LibvirtNode.WAIT))
                .hasMessage("system " + web + " already has a snapshot s1 on node n1; delete it first or choose another name")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        assertThatThrownBy(() -> s.snapshotCreate(web, "../x", false, null).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("snapshot name '../x' must be 1..64 letters");
        assertThatThrownBy(() -> s.snapshotRevert(web, "nope").await().atMost(LibvirtNode.WAIT))
                .hasMessage("system " + web + " has no snapshot nope on node n1; see 'acp system snapshot list " + web + "'")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> s.snapshotDelete(web, "nope").await().atMost(LibvirtNode.WAIT)).hasMessageContaining("has no snapshot nope");

        String raw = LibvirtNode.uniqueId("snapraw");
        s.create(raw, spec("[{\"path\":\"/var/lib/acp/raw.img\"}]")).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.snapshotCreate(raw, "s1", false, null).await().atMost(LibvirtNode.WAIT))
                .hasMessage("rule snapshot-qcow2: cannot snapshot system " + raw + ": disk vda (/var/lib/acp/raw.img) has format raw,"
                        + " which cannot hold snapshots; only qcow2 images can");
        assertThat(node.backend.get().snapshotNames(raw)).isEmpty();

        node.cdb.putObject(ObjectKey.of(ObjectType.STORAGE, "vg1"), "pool", (ObjectNode) Json.MAPPER.readTree("{\"kind\":\"lvm\",\"vg\":\"vg0\"}"), null)
                .await().atMost(LibvirtNode.WAIT);
        String onLvm = LibvirtNode.uniqueId("snaplvm");
        node.cdb.putObject(SystemReports.key(onLvm), null, spec("[{\"pool\":\"vg1\",\"volume\":\"d1\",\"format\":\"qcow2\"}]"), null)
                .await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.snapshotCreate(onLvm, "s1", false, null).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule snapshot-qcow2: cannot snapshot system " + onLvm + ": disk vda is volume d1 of storage pool vg1,"
                        + " a pool of kind lvm, which cannot snapshot")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
}
