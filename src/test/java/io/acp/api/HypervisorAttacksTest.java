package io.acp.api;

import static io.acp.api.StorageAttacksTest.refused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hypervisor attacks of issue 14 through the real API, on libvirt's test driver: an operator
 * attaching host files, block devices and host bridges to a system, an admin naming host devices
 * the node does not list, anyone calling the migration steps by hand. Each is refused naming the
 * rule and the system, and no domain and no system object appears or goes away.
 */
class HypervisorAttacksTest extends WithNode {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private HypervisorService hypervisor;
    private final String id = "atk-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeEach
    void startHypervisor() {
        // Allowed on this node: /var/lib/acp and the bridge acpbr0 (HypervisorApiTest.config()).
        hypervisor = new HypervisorService(HypervisorApiTest.config(), TestNode.NODE, node.cdb::get,
                () -> new LibvirtBackend("test:///default", TestNode.NODE));
        hypervisor.start(TestNode.context()).await().atMost(WAIT);
        node.systems.set(hypervisor.systems());
    }

    @AfterEach
    void stopHypervisor() {
        hypervisor.stop().await().atMost(WAIT);
    }

    private ObjectNode spec(String diskPath, String bridge) {
        ObjectNode spec = Json.object().put("vcpus", 1).put("memory", 64);
        if (diskPath != null) {
            spec.putArray("disks").addObject().put("path", diskPath);
        }
        if (bridge != null) {
            spec.putArray("interfaces").addObject().put("bridge", bridge);
        }
        return spec;
    }

    private ObjectNode create(String systemId, ObjectNode spec) {
        ObjectNode args = Json.object().put("id", systemId).put("start", true);
        args.set("spec", spec);
        return args;
    }

    @Test
    void anOperatorCannotGiveASystemHostFilesDevicesOrBridges() throws IOException {
        String caKey = dir.resolve("data/pki/ca.key").toString();
        Files.createDirectories(dir.resolve("data/pki"));
        Files.writeString(dir.resolve("data/pki/ca.key"), "key\n");
        try (TestClient op = node.client(true, TestNode.OPERATOR_KEY)) {
            ObjectNode spec = spec(caKey, "docker0");
            ((ArrayNode) spec.get("disks")).addObject().put("path", "/dev/vda");
            refused(op.call("hypervisor", "create", create(id, spec)), ErrorCode.FORBIDDEN,
                    "rule host-resources: hypervisor.create of system " + id + " names host resources (disks[0].path " + caKey
                            + ", disks[1].path /dev/vda, interfaces[0].bridge docker0)");
            ObjectNode put = Json.object().put("type", "system").put("id", id);
            put.set("spec", spec);
            refused(op.call("cluster", "put", put), ErrorCode.FORBIDDEN, "rule host-resources: cluster.put of system " + id);
            // Even inside the node's allowed paths, a host path is admin's.
            refused(op.call("hypervisor", "create", create(id, spec("/var/lib/acp/web.img", null))), ErrorCode.FORBIDDEN, "rule host-resources");
        }
        nothingChanged(id);
        assertThat(Files.readString(dir.resolve("data/pki/ca.key"))).isEqualTo("key\n");
    }

    @Test
    void anAdminCannotUseHostDevicesOrBridgesTheNodeDoesNotList() throws IOException {
        try (TestClient admin = node.client(true, TestNode.ADMIN_KEY)) {
            refused(admin.call("hypervisor", "create", create(id, spec("/dev/vda", null))), ErrorCode.FORBIDDEN,
                    "system " + id + ": disk path /dev/vda");
            refused(admin.call("hypervisor", "create", create(id + "b", spec(null, "docker0"))), ErrorCode.FORBIDDEN,
                    "system " + id + "b: host bridge docker0 is not in acp.hypervisor.allowed-bridges");
            // A path that looks inside the allowed directory but walks out of it.
            refused(admin.call("hypervisor", "create", create(id + "c", spec("/var/lib/acp/../../../etc/shadow", null))), ErrorCode.FORBIDDEN,
                    "rule host-device");
        }
        for (String s : new String[] {id, id + "b", id + "c"}) {
            assertThat(hypervisor.systems().list().await().atMost(WAIT)).noneSatisfy(x -> {
                assertThat(x.path("id").asText()).isEqualTo(s);
                assertThat(x.path("state").asText()).isEqualTo("running");
            });
        }
    }

    @Test
    void theMigrationStepsAreRefusedToEveryUserKeyAndTheSystemRunsOn() throws IOException {
        try (TestClient admin = node.client(true, TestNode.ADMIN_KEY); TestClient op = node.client(true, TestNode.OPERATOR_KEY)) {
            assertThat(admin.result("hypervisor", "create", create(id, spec(null, null))).path("state").asText()).isEqualTo("running");
            for (TestClient c : new TestClient[] {admin, op}) {
                refused(c.call("hypervisor", "migrate-abort", Json.object().put("id", id)), ErrorCode.FORBIDDEN,
                        "rule node-only: hypervisor.migrate-abort is called only by nodes");
                refused(c.call("hypervisor", "migrate-confirm", Json.object().put("id", id)), ErrorCode.FORBIDDEN, "rule node-only");
                ObjectNode prepare = Json.object().put("id", id).put("from", "n2");
                prepare.set("spec", spec(null, null).put("node", "n1"));
                refused(c.call("hypervisor", "migrate-prepare", prepare), ErrorCode.FORBIDDEN, "rule node-only");
            }
            assertThat(admin.result("hypervisor", "list", null)).anySatisfy(x -> {
                assertThat(x.path("id").asText()).isEqualTo(id);
                assertThat(x.path("state").asText()).isEqualTo("running");
            });
            admin.result("hypervisor", "delete", Json.object().put("id", id).put("force", true));
        }
    }

    @Test
    void idsThatArePathElementsAreRefused() throws IOException {
        try (TestClient admin = node.client(true, TestNode.ADMIN_KEY)) {
            refused(admin.call("hypervisor", "create", create("..", spec(null, null))), ErrorCode.BAD_REQUEST, "rule object-id: system id '..'");
            refused(admin.call("hypervisor", "create", create(".x", spec(null, null))), ErrorCode.BAD_REQUEST, "rule object-id");
        }
    }

    private void nothingChanged(String systemId) {
        assertThat(node.cdb.get().object(ObjectKey.of(ObjectType.SYSTEM, systemId))).isEmpty();
        JsonNode list = hypervisor.systems().list().await().atMost(WAIT);
        assertThat(list).noneSatisfy(x -> assertThat(x.path("id").asText()).isEqualTo(systemId));
    }
}
