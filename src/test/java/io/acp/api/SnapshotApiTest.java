package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snapshot operations of service {@code hypervisor} over the real socket, on libvirt's test driver. */
class SnapshotApiTest extends WithNode {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private HypervisorService hypervisor;
    private final String id = "snapapi-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeEach
    void startHypervisor() {
        hypervisor = new HypervisorService(HypervisorApiTest.config(), TestNode.NODE, node.cdb::get, () -> new LibvirtBackend("test:///default", TestNode.NODE));
        hypervisor.start(TestNode.context()).await().atMost(WAIT);
        node.systems.set(hypervisor.systems());
    }

    @AfterEach
    void stopHypervisor() {
        hypervisor.stop().await().atMost(WAIT);
    }

    private ObjectNode snapshot(String name) {
        return Json.object().put("id", id).put("name", name);
    }

    /** A disk on a host path is admin's to give (rule host-resources); snapshots of it are then an operator's. */
    private void createSystem() throws IOException {
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            createSystem(c);
        }
    }

    private void createSystem(TestClient c) throws IOException {
        ObjectNode args = Json.object().put("id", id).put("start", true);
        ObjectNode spec = args.putObject("spec").put("vcpus", 1).put("memory", 64);
        spec.putArray("disks").addObject().put("path", "/var/lib/acp/" + id + ".qcow2").put("format", "qcow2");
        assertThat(c.result("hypervisor", "create", args).path("state").asText()).isEqualTo("running");
    }

    @Test
    void anOperatorTakesListsRevertsAndDeletesSnapshotsSeenByEveryClientInMeta() throws IOException {
        createSystem();
        try (TestClient c = node.client(true, TestNode.OPERATOR_KEY)) {
            JsonNode taken = c.result("hypervisor", "snapshot-create", snapshot("s1").put("description", "first"));
            assertThat(taken.path("snapshot").path("name").asText()).isEqualTo("s1");
            c.result("hypervisor", "snapshot-create", snapshot("s2"));
            JsonNode list = c.result("hypervisor", "snapshot-list", Json.object().put("id", id));
            assertThat(list.path("snapshots").findValuesAsText("name")).containsExactly("s1", "s2");
            assertThat(list.path("snapshots").get(1).path("parent").asText()).isEqualTo("s1");
            JsonNode meta = c.result("cluster", "meta", Json.object().put("type", "system").put("id", id)).get(0).path("values");
            assertThat(meta.path("snapshots").findValuesAsText("name")).containsExactly("s1", "s2");
            assertThat(meta.path("state").asText()).isEqualTo("running");

            assertThat(c.result("hypervisor", "snapshot-revert", snapshot("s1")).path("reverted").asBoolean()).isTrue();
            assertThat(c.result("hypervisor", "snapshot-delete", snapshot("s2")).path("deleted").asBoolean()).isTrue();
            Response gone = c.call("hypervisor", "snapshot-revert", snapshot("s2"));
            assertThat(((Response.Failure) gone).code()).isEqualTo(ErrorCode.NOT_FOUND);
            c.result("hypervisor", "delete", Json.object().put("id", id).put("force", true));
        }
    }

    @Test
    void aReadOnlyKeyMayListButNeitherTakeNorRevertNorDelete() throws IOException {
        createSystem();
        try (TestClient op = node.client(true, TestNode.OPERATOR_KEY); TestClient viewer = node.client(true, TestNode.READER_KEY)) {
            op.result("hypervisor", "snapshot-create", snapshot("keep"));
            for (String change : new String[] {"snapshot-create", "snapshot-revert", "snapshot-delete"}) {
                Response denied = viewer.call("hypervisor", change, snapshot(change.equals("snapshot-create") ? "sneaky" : "keep"));
                assertThat(((Response.Failure) denied).code()).as(change).isEqualTo(ErrorCode.FORBIDDEN);
                assertThat(((Response.Failure) denied).message()).contains("hypervisor." + change + " needs operator or admin; key 'viewer' has role read-only");
            }
            JsonNode list = viewer.result("hypervisor", "snapshot-list", Json.object().put("id", id));
            assertThat(list.path("snapshots").findValuesAsText("name")).as("nothing taken, nothing deleted").containsExactly("keep");
            op.result("hypervisor", "delete", Json.object().put("id", id).put("force", true));
        }
    }
}
