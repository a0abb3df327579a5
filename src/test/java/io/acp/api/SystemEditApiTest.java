package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * hypervisor.create without start, and hypervisor.set, over the real socket on real libvirt
 * (test:///default): a created system is defined and stopped; a change is stored and applies at the
 * next start, and a running system's answer says which fields are pending.
 */
class SystemEditApiTest extends WithNode {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private HypervisorService hypervisor;
    private final String id = "edit-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeEach
    void startHypervisor() {
        hypervisor = new HypervisorService(HypervisorApiTest.config(), TestNode.NODE, node.cdb::get,
                () -> new LibvirtBackend("test:///default", TestNode.NODE));
        hypervisor.start(TestNode.context()).await().atMost(WAIT);
        node.systems.set(hypervisor.systems());
    }

    @AfterEach
    void stopHypervisor() {
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            c.call("hypervisor", "delete", Json.object().put("id", id).put("force", true));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        hypervisor.stop().await().atMost(WAIT);
    }

    private ObjectNode set(ObjectNode spec) {
        ObjectNode args = Json.object().put("id", id);
        args.set("spec", spec);
        return args;
    }

    private JsonNode spec() {
        return node.cdb.get().object(ObjectKey.of(ObjectType.SYSTEM, id)).orElseThrow().spec();
    }

    @Test
    void createOnlyDefinesAndAChangeAppliesAtTheNextStart() throws IOException {
        try (TestClient c = node.client(true, TestNode.OPERATOR_KEY)) {
            ObjectNode create = Json.object().put("id", id);
            create.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
            JsonNode created = c.result("hypervisor", "create", create);
            assertThat(created.path("state").asText()).as("%s", created).isEqualTo("stopped");

            JsonNode changed = c.result("hypervisor", "set", set(Json.object().put("vcpus", 2).put("name", "web server")));
            assertThat(changed.path("changed")).extracting(JsonNode::asText).containsExactlyInAnyOrder("vcpus", "name");
            assertThat(changed.path("applies").asText()).isEqualTo("at the next start");
            assertThat(spec().path("vcpus").asInt()).isEqualTo(2);
            assertThat(spec().path("name").asText()).isEqualTo("web server");
            assertThat(spec().path("memory").asInt()).as("fields not named are kept").isEqualTo(64);

            assertThat(c.result("hypervisor", "start", Json.object().put("id", id)).path("state").asText()).isEqualTo("running");
            JsonNode live = c.result("hypervisor", "set", set(Json.object().put("memory", 128)));
            assertThat(live.path("pending")).extracting(JsonNode::asText).containsExactly("memory");
            assertThat(live.path("fields").path("memory").path("why").asText()).as("no maxMemory: no room to balloon up")
                    .contains("above the maximum of 64 MiB defined at start");
            assertThat(live.path("applies").asText()).startsWith("at the next start: the system is running");
            assertThat(live.path("state").asText()).isEqualTo("running");
            assertThat(spec().path("memory").asInt()).isEqualTo(128);

            JsonNode same = c.result("hypervisor", "set", set(Json.object().put("memory", 128)));
            assertThat(same.path("changed")).isEmpty();

            JsonNode task = c.result("task", "list", Json.object().put("limit", 10)).get(1);
            assertThat(task.path("op").asText()).isEqualTo("hypervisor.set");
            assertThat(task.path("changes").toString()).isEqualTo("[{\"path\":\"/memory\",\"before\":64,\"after\":128}]");
        }
    }

    @Test
    void aBadChangeIsRefusedAndChangesNothing() throws IOException {
        try (TestClient op = node.client(true, TestNode.OPERATOR_KEY); TestClient viewer = node.client(true, TestNode.READER_KEY)) {
            ObjectNode create = Json.object().put("id", id);
            create.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
            op.result("hypervisor", "create", create);
            JsonNode before = spec().deepCopy();

            refused(viewer.call("hypervisor", "set", set(Json.object().put("vcpus", 4))), ErrorCode.FORBIDDEN, "hypervisor.set needs operator");
            refused(op.call("hypervisor", "set", set(Json.object().put("node", "n2"))), ErrorCode.BAD_REQUEST, "acp system migrate");
            refused(op.call("hypervisor", "set", set(Json.object().put("gpu", true))), ErrorCode.BAD_REQUEST, "not a field set may change");
            refused(op.call("hypervisor", "set", set(Json.object().put("vcpus", 0))), ErrorCode.BAD_REQUEST, "vcpus");
            refused(op.call("hypervisor", "set", set(Json.object())), ErrorCode.BAD_REQUEST, "at least one field");
            ObjectNode hostDisk = Json.object();
            hostDisk.putArray("disks").addObject().put("path", "/dev/sda");
            refused(op.call("hypervisor", "set", set(hostDisk)), ErrorCode.FORBIDDEN, "rule host-resources");
            refused(op.call("hypervisor", "set", Json.object().put("id", "absent").set("spec", Json.object().put("vcpus", 2))),
                    ErrorCode.NOT_FOUND, "system absent");

            assertThat(spec()).isEqualTo(before);
        }
    }

    private static void refused(Response r, ErrorCode code, String says) {
        assertThat(r).isInstanceOf(Response.Failure.class);
        assertThat(((Response.Failure) r).code()).as("%s", r).isEqualTo(code);
        assertThat(((Response.Failure) r).message()).contains(says);
    }
}
