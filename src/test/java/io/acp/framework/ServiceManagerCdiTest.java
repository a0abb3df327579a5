package io.acp.framework;

import io.acp.node.ServiceStatus;
import io.acp.node.ServiceState;
import io.acp.node.ServiceDirectory;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manager as the node builds it: CDI finds the services, SmallRye Config says which run. */
@QuarkusTest
@TestProfile(ServiceManagerCdiTest.ProbeOnly.class)
class ServiceManagerCdiTest {

    public static class ProbeOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("acp.node.services", "probe", "acp.node.id", "cdi1", "acp.node.data-dir", "target/cdi1");
        }
    }

    @Inject
    ServiceManager manager;

    @Inject
    ServiceDirectory directory;

    @Inject
    ProbeService probe;

    @Test
    void discovers_configured_beans_and_runs_them() {
        manager.startAll().await().atMost(Duration.ofSeconds(10));

        assertThat(directory.statuses()).extracting(ServiceStatus::name).containsExactly("framework", "probe");
        assertThat(directory.statuses()).extracting(ServiceStatus::state).containsOnly(ServiceState.RUNNING);
        assertThat(probe.starts()).isEqualTo(1);

        manager.stopAll().await().atMost(Duration.ofSeconds(10));

        assertThat(probe.stops()).isEqualTo(1);
        assertThat(directory.statuses().get(1).state()).isEqualTo(ServiceState.STOPPED);
    }
}
