package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.hypervisor.HypervisorConfig;
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

/** Service {@code hypervisor} over the real socket, on real libvirt (test:///default). */
class HypervisorApiTest extends WithNode {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private HypervisorService hypervisor;
    /** The service's libvirt connection, to see what its domains are (as virsh on the node would). */
    private final java.util.concurrent.atomic.AtomicReference<LibvirtBackend> libvirt = new java.util.concurrent.atomic.AtomicReference<>();
    private final String id = "api-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeEach
    void startHypervisor() {
        hypervisor = new HypervisorService(config(), TestNode.NODE, node.cdb::get, () -> {
            LibvirtBackend b = new LibvirtBackend("test:///default", TestNode.NODE);
            libvirt.set(b);
            return b;
        });
        hypervisor.start(TestNode.context()).await().atMost(WAIT);
        node.systems.set(hypervisor.systems());
    }

    @AfterEach
    void stopHypervisor() {
        hypervisor.stop().await().atMost(WAIT);
    }

    private ObjectNode create() {
        ObjectNode args = Json.object().put("id", id).put("start", true);
        args.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
        return args;
    }

    private static ObjectNode byId(String id) {
        return Json.object().put("id", id);
    }

    @Test
    void operatorRunsASystemThroughTheApi() throws IOException {
        try (TestClient c = node.client(true, TestNode.OPERATOR_KEY)) {
            JsonNode created = c.result("hypervisor", "create", create());
            assertThat(created.path("state").asText()).isEqualTo("running");
            assertThat(created.path("node").asText()).isEqualTo("n1");

            assertThat(c.result("hypervisor", "pause", byId(id)).path("state").asText()).isEqualTo("paused");
            assertThat(c.result("hypervisor", "stop", byId(id)).path("state").asText()).isEqualTo("stopped");
            JsonNode list = c.result("hypervisor", "list", null);
            assertThat(list).anySatisfy(s -> {
                assertThat(s.path("id").asText()).isEqualTo(id);
                assertThat(s.path("state").asText()).isEqualTo("stopped");
            });
            // The meta is what cluster.meta shows every client.
            JsonNode meta = c.result("cluster", "meta", Json.object().put("type", "system").put("id", id));
            assertThat(meta.get(0).path("values").path("state").asText()).isEqualTo("stopped");

            assertThat(c.result("hypervisor", "delete", byId(id)).path("deleted").asBoolean()).isTrue();
            Response gone = c.call("hypervisor", "show", byId(id));
            assertThat(((Response.Failure) gone).code()).isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void aRunningSystemIsNotDeletedWithoutForceAndNothingOfItChanges() throws IOException {
        try (TestClient c = node.client(true, TestNode.OPERATOR_KEY)) {
            assertThat(c.result("hypervisor", "create", create()).path("state").asText()).isEqualTo("running");
            JsonNode before = c.result("cluster", "get", Json.object().put("type", "system").put("id", id));

            Response refused = c.call("hypervisor", "delete", byId(id));
            assertThat(((Response.Failure) refused).code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(((Response.Failure) refused).message()).isEqualTo("rule running-delete: system " + id + " is running on node n1; stop it first "
                    + "(acp system stop " + id + "), or delete it with force (acp system delete " + id + " --force), which stops it at once as a "
                    + "pulled plug would");
            assertThat(c.result("cluster", "get", Json.object().put("type", "system").put("id", id))).as("the object is untouched").isEqualTo(before);
            JsonNode shown = c.result("hypervisor", "show", byId(id));
            assertThat(shown.path("meta").path("state").asText()).as("the guest runs on").isEqualTo("running");
            JsonNode meta = c.result("cluster", "meta", Json.object().put("type", "system").put("id", id));
            assertThat(meta.get(0).path("values").path("state").asText()).as("and its report says so").isEqualTo("running");

            assertThat(c.result("hypervisor", "pause", byId(id)).path("state").asText()).isEqualTo("paused");
            Response pausedRefused = c.call("hypervisor", "delete", byId(id));
            assertThat(((Response.Failure) pausedRefused).message()).startsWith("rule running-delete: system " + id + " is paused on node n1");

            assertThat(c.result("hypervisor", "delete", byId(id).put("force", true)).path("deleted").asBoolean()).isTrue();
            assertThat(((Response.Failure) c.call("hypervisor", "show", byId(id))).code()).isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    /**
     * cluster.delete of a system: its node removes the domain at its next reconcile, so a running
     * one is refused without force (rule running-delete), and nothing of it changes.
     */
    @Test
    void aSystemsObjectDeletedThroughTheClusterTakesItsDomainAlongButNotWhileItRunsUnlessForced() throws IOException {
        ObjectNode key = Json.object().put("type", "system").put("id", id);
        try (TestClient c = node.client(true, TestNode.OPERATOR_KEY)) {
            assertThat(c.result("hypervisor", "create", create()).path("state").asText()).isEqualTo("running");
            JsonNode before = c.result("cluster", "get", key);

            Response refused = c.call("cluster", "delete", key);
            assertThat(((Response.Failure) refused).code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(((Response.Failure) refused).message()).isEqualTo("rule running-delete: node n1 reports system " + id + " running; stop it "
                    + "first (acp system stop " + id + "), or delete it with force (acp system delete " + id + " --force, or acp delete system " + id
                    + " --force if node n1 is gone for good), which stops it at once as a pulled plug would");
            assertThat(c.result("cluster", "get", key)).as("the object is untouched").isEqualTo(before);
            hypervisor.reconcileNow().await().atMost(WAIT);
            assertThat(domainState()).as("the guest runs on").isEqualTo("running");

            // Stopped, it is deleted, and its node undefines the domain instead of leaving it unreported.
            assertThat(c.result("hypervisor", "stop", byId(id)).path("state").asText()).isEqualTo("stopped");
            assertThat(c.result("cluster", "delete", key).path("deleted").asBoolean()).isTrue();
            assertThat(domainState()).as("until the reconcile").isEqualTo("stopped");
            assertThat(hypervisor.reconcileNow().await().atMost(WAIT)).isEqualTo(1);
            assertThat(domainState()).as("the domain went with its object").isNull();
            assertThat(c.result("cluster", "meta", key)).as("and nothing reports on it").isEmpty();

            // Created anew under the same id and running: deleted only with force, which stops it.
            assertThat(c.result("hypervisor", "create", create()).path("state").asText()).isEqualTo("running");
            assertThat(((Response.Failure) c.call("cluster", "delete", key)).code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(c.result("cluster", "delete", key.deepCopy().put("force", true)).path("deleted").asBoolean()).isTrue();
            assertThat(hypervisor.reconcileNow().await().atMost(WAIT)).isEqualTo(1);
            assertThat(domainState()).as("a forced delete stops and removes the guest").isNull();
            assertThat(hypervisor.reconcileNow().await().atMost(WAIT)).as("and then there is nothing left to do").isZero();
        }
    }

    private String domainState() {
        return libvirt.get().status(id).map(s -> s.state().wireName()).orElse(null);
    }

    @Test
    void readOnlyKeysMayLookButNotTouch() throws IOException {
        try (TestClient c = node.client(true, TestNode.READER_KEY)) {
            Response denied = c.call("hypervisor", "create", create());
            assertThat(((Response.Failure) denied).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(((Response.Failure) denied).message()).contains("hypervisor.create needs operator or admin; key 'viewer' has role read-only");
            assertThat(c.result("hypervisor", "list", null).isArray()).isTrue();
        }
    }

    @Test
    void badArgumentsAreBadRequests() throws IOException {
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            Response noId = c.call("hypervisor", "start", null);
            assertThat(((Response.Failure) noId).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((Response.Failure) noId).message()).contains("'id'");

            ObjectNode badSpec = create();
            ((ObjectNode) badSpec.get("spec")).put("memory", "lots");
            Response bad = c.call("hypervisor", "create", badSpec);
            assertThat(((Response.Failure) bad).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((Response.Failure) bad).message()).contains("field 'memory'");

            Response unknownOp = c.call("hypervisor", "snapshot", byId(id));
            assertThat(((Response.Failure) unknownOp).code()).isEqualTo(ErrorCode.UNKNOWN_OPERATION);
        }
    }

    @Test
    void stoppedHypervisorIsUnavailable() throws IOException {
        hypervisor.stop().await().atMost(WAIT);
        node.systems.set(null);
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            Response r = c.call("hypervisor", "list", null);
            assertThat(((Response.Failure) r).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
    }

    static HypervisorConfig config() {
        return new HypervisorConfig() {
            @Override
            public String uri() {
                return "test:///default";
            }

            @Override
            public Duration reconcileInterval() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration statsInterval() {
                return Duration.ofHours(1);
            }

            @Override
            public java.util.Optional<String> migrationUri() {
                return java.util.Optional.empty();
            }

            @Override
            public String accelerator() {
                return "auto";
            }

            @Override
            public boolean migrationSharedStorage() {
                return false;
            }

            @Override
            public java.util.Optional<java.time.Duration> migrationMaxDowntime() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<java.util.List<java.nio.file.Path>> allowedDevicePaths() {
                return java.util.Optional.of(java.util.List.of(java.nio.file.Path.of("/var/lib/acp")));
            }

            @Override
            public java.util.Optional<java.util.List<String>> allowedBridges() {
                return java.util.Optional.of(java.util.List.of("acpbr0"));
            }

            @Override
            public Duration shutdownTimeout() {
                return Duration.ofSeconds(5);
            }
        };
    }
}
