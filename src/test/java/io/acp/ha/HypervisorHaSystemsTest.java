package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.hypervisor.HypervisorConfig;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.node.ServiceContext;
import io.acp.protocol.AcpException;
import io.acp.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HA service's hands on real libvirt (test driver): fencing destroys a copy even when the CDB
 * already assigns the system elsewhere (where the ordinary stop refuses), and the new owner of a
 * failed node's system rewrites its assignment and starts it, with {@code ha.state} in meta.
 */
class HypervisorHaSystemsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String NODE = "n1";
    private final String db = "ha-db-" + ProcessHandle.current().pid();
    private final String app = "ha-app-" + ProcessHandle.current().pid();
    private final Cdb cdb = Cdb.inMemory(NODE);
    private HypervisorService hypervisor;
    private HypervisorHaSystems systems;

    private record Config(String uri) implements HypervisorConfig {
        @Override
        public Duration reconcileInterval() {
            return Duration.ofHours(1);
        }

        @Override
        public Duration statsInterval() {
            return Duration.ofHours(1);
        }

        @Override
        public Optional<String> migrationUri() {
            return Optional.empty();
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
        public Optional<Duration> migrationMaxDowntime() {
            return Optional.empty();
        }

        @Override
        public Duration shutdownTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Optional<List<Path>> allowedDevicePaths() {
            return Optional.of(List.of(Path.of("/var/lib/acp")));
        }

        @Override
        public Optional<List<String>> allowedBridges() {
            return Optional.empty();
        }
    }

    @BeforeEach
    void start() {
        Config config = new Config("test:///default");
        hypervisor = new HypervisorService(config, NODE, () -> cdb, () -> new LibvirtBackend(config.uri(), NODE));
        hypervisor.start(new ServiceContext() {
            @Override
            public String nodeId() {
                return NODE;
            }

            @Override
            public void failed(Throwable cause) {
            }
        }).await().atMost(WAIT);
        systems = new HypervisorHaSystems(NODE, cdb, hypervisor, new HaMeta(cdb));
    }

    @AfterEach
    void stop() {
        for (String id : List.of(db, app)) {
            try {
                hypervisor.systems().fence(id).await().atMost(WAIT);
            } catch (RuntimeException ignored) {
                // not created by this test
            }
        }
        hypervisor.stop().await().atMost(WAIT);
    }

    private static ObjectNode spec(String node) {
        ObjectNode s = Json.object();
        s.put("vcpus", 1).put("memory", 64).put("ha", true).put("node", node);
        s.putArray("disks").addObject().put("path", "/var/lib/acp/ha.img");
        return s;
    }

    /** The state this node reports for {@code id}, after asking libvirt again. */
    private String state(String id) {
        hypervisor.reconcileNow().await().atMost(WAIT);
        List<MetaEntry> m = cdb.meta(ObjectKey.of(ObjectType.SYSTEM, id), NODE);
        return m.isEmpty() ? "" : m.get(0).values().path("state").asText();
    }

    private JsonNode ha(String id) {
        List<MetaEntry> m = cdb.meta(ObjectKey.of(ObjectType.SYSTEM, id), NODE);
        return m.isEmpty() ? Json.object() : m.get(0).values().path("ha");
    }

    @Test
    void fencingDestroysTheCopyEvenWhenTheCdbAlreadyAssignsTheSystemElsewhere() {
        hypervisor.systems().create(db, spec(NODE)).await().atMost(WAIT);
        systems.refresh(java.util.Set.of()).await().atMost(WAIT);
        assertThat(systems.running()).as("not claimed yet: fencing leaves it alone").doesNotContain(db);
        systems.refresh(java.util.Set.of(db)).await().atMost(WAIT);
        assertThat(systems.running()).contains(db);
        // The system moved while this node was cut off: the CDB names n2 now.
        ObjectEntry e = cdb.object(ObjectKey.of(ObjectType.SYSTEM, db)).orElseThrow();
        cdb.putObject(e.key(), e.subtype(), spec("n2"), e.version()).await().atMost(WAIT);
        assertThatThrownBy(() -> hypervisor.systems().stop(db).await().atMost(WAIT))
                .isInstanceOf(AcpException.class).hasMessageContaining("assigned to node n2");

        systems.stop(db);

        Eventually.await(WAIT, () -> "fenced".equals(ha(db).path("state").asText()), () -> "ha meta of " + db + ": " + ha(db));
        assertThat(state(db)).isEqualTo("stopped");
        assertThat(systems.running()).doesNotContain(db);
        assertThat(ha(db).path("reason").asText()).contains("node n1");
    }

    @Test
    void theNewOwnerOfAFailedNodesSystemReassignsItHereStartsItAndSaysWhereItCameFrom() {
        cdb.putObject(ObjectKey.of(ObjectType.SYSTEM, app), null, spec("n9"), null).await().atMost(WAIT);

        systems.start(app);

        Eventually.await(WAIT, () -> "relocated".equals(ha(app).path("state").asText()), () -> "ha meta of " + app + ": " + ha(app));
        assertThat(cdb.object(ObjectKey.of(ObjectType.SYSTEM, app)).orElseThrow().spec().path("node").asText()).isEqualTo(NODE);
        assertThat(state(app)).isEqualTo("running");
        assertThat(ha(app).path("reason").asText()).contains("node n9");
        systems.refresh(java.util.Set.of(app)).await().atMost(WAIT);
        assertThat(systems.running()).contains(app);
        // The reports written since (start, reconcile) kept the ha field.
        assertThat(ha(app).path("state").asText()).isEqualTo("relocated");
    }
}
