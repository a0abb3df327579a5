package io.acp.cluster.service;

import io.acp.cluster.ClusterConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.node.NodeConfig;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster service over a real data directory: start, write, stop, start again. */
class ClusterServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void objectsSurviveARestartAndMaintenanceRunsOnlyWhileStarted() {
        ObjectKey key = new ObjectKey(ObjectType.SYSTEM, "vm1");
        ClusterService service = service();
        assertThatThrownBy(service::cdb).isInstanceOf(AcpException.class).hasMessageContaining("node n1");
        // other tests in this JVM may still be stopping services of their own: count this one's thread
        long others = maintenanceThreads();

        service.start(context()).await().atMost(WAIT);
        assertThat(maintenanceThreads()).isEqualTo(others + 1);
        ObjectEntry written = service.cdb().putObject(key, null, Json.object().put("cpus", 2), null).await().atMost(WAIT);
        service.stop().await().atMost(WAIT);
        assertThat(service.running()).isFalse();
        assertThat(maintenanceThreads()).isEqualTo(others);
        assertThat(dataDir.resolve("journal/journal")).exists();

        service.start(context()).await().atMost(WAIT);
        try {
            assertThat(service.cdb().object(key)).contains(written);
        } finally {
            service.stop().await().atMost(WAIT);
            service.stop().await().atMost(WAIT); // stopping twice is harmless
        }
    }

    /** Live maintenance threads; a stopped one gets a moment to finish exiting. */
    private static long maintenanceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("acp-cluster-maintenance"))
                .filter(t -> {
                    try {
                        t.join(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return t.isAlive();
                })
                .count();
    }

    private static ServiceContext context() {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return "n1";
            }

            @Override
            public void failed(Throwable cause) {
                throw new AssertionError("cluster service reported a failure", cause);
            }
        };
    }

    private ClusterService service() {
        TestConfig c = TestConfig.of(Map.of("acp.node.id", "n1", "acp.node.data-dir", dataDir.toString(), "acp.cluster.stats-history", "10"),
                ClusterConfig.class, NodeConfig.class);
        return new ClusterService(c.mapping(ClusterConfig.class), new NodeIdentity(c.mapping(NodeConfig.class)));
    }
}
