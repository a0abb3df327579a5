package io.acp.framework;

import io.acp.node.ServiceStatus;
import io.acp.node.ServiceState;
import io.acp.node.Health;
import static io.acp.framework.ManagerFixture.eventually;
import static io.acp.framework.ManagerFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Start order, rollback, stop, and the directory view of {@link ServiceManager}. */
class ServiceManagerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManagerFixture fixture = new ManagerFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void starts_in_dependency_order_and_lists_framework_first() {
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        FakeService agent = fixture.service("agent", "api");
        ServiceManager manager = fixture.manager(List.of(agent, api, cluster), List.of("agent", "api", "cluster"), () -> null);

        manager.startAll().await().atMost(WAIT);

        assertThat(fixture.log).containsExactly("start cluster", "start api", "start agent");
        assertThat(manager.statuses()).extracting(ServiceStatus::name).containsExactly("framework", "cluster", "api", "agent");
        assertThat(manager.statuses()).extracting(ServiceStatus::state).containsOnly(ServiceState.RUNNING);
        assertThat(status(manager, "api").dependencies()).containsExactly("cluster");
        assertThat(manager.startedAt()).isEqualTo(fixture.clock.instant());
    }

    @Test
    void a_service_starts_only_once_its_dependencies_run() {
        FakeService cluster = fixture.service("cluster");
        cluster.startTakes = Duration.ofMillis(50);
        FakeService api = fixture.service("api", "cluster");
        List<ServiceState> clusterWhenApiStarted = new ArrayList<>();
        ServiceManager manager = fixture.manager(List.of(cluster, api), List.of("cluster", "api"), () -> null);
        api.onStart = () -> clusterWhenApiStarted.add(status(manager, "cluster").state());

        manager.startAll().await().atMost(WAIT);

        assertThat(clusterWhenApiStarted).containsExactly(ServiceState.RUNNING);
    }

    @Test
    void a_failed_first_start_stops_what_started_in_reverse_and_fails() {
        FakeService a = fixture.service("a");
        FakeService b = fixture.service("b", "a");
        FakeService c = fixture.service("c", "b");
        FakeService d = fixture.service("d", "c");
        c.failingStarts = 1;
        ServiceManager manager = fixture.manager(List.of(a, b, c, d), List.of("a", "b", "c", "d"), () -> null);

        assertThatThrownBy(() -> manager.startAll().await().atMost(WAIT))
                .isInstanceOf(AcpException.class)
                .hasMessage("service c failed to start: c could not bind its socket");

        assertThat(fixture.log).containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
        assertThat(d.starts).hasValue(0);
        assertThat(status(manager, "c").lastError()).isEqualTo("c could not bind its socket");
        assertThat(status(manager, "a").state()).isEqualTo(ServiceState.STOPPED);
        assertThat(c.starts).as("a failed first start is not retried").hasValue(1);
    }

    @Test
    void services_of_one_level_start_together() {
        FakeService cluster = fixture.service("cluster");
        FakeService network = fixture.service("network", "cluster");
        FakeService storage = fixture.service("storage", "cluster");
        // Each start blocks until the other has begun: one after the other, the first would wait in vain.
        CountDownLatch networkIn = new CountDownLatch(1);
        CountDownLatch storageIn = new CountDownLatch(1);
        List<Boolean> sawTheOther = Collections.synchronizedList(new ArrayList<>());
        network.onStart = () -> sawTheOther.add(meet(networkIn, storageIn));
        storage.onStart = () -> sawTheOther.add(meet(storageIn, networkIn));
        ServiceManager manager = fixture.manager(List.of(storage, network, cluster), List.of("storage", "network", "cluster"), () -> null);

        manager.startAll().await().atMost(WAIT);

        assertThat(sawTheOther).containsExactly(true, true);
        assertThat(fixture.log.get(0)).isEqualTo("start cluster");
        assertThat(manager.statuses()).extracting(ServiceStatus::name).containsExactly("framework", "cluster", "network", "storage");
        assertThat(manager.statuses()).extracting(ServiceStatus::state).containsOnly(ServiceState.RUNNING);
    }

    @Test
    void a_service_waits_for_its_own_dependencies_not_for_a_slower_service_beside_them() {
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        FakeService hypervisor = fixture.service("hypervisor", "cluster");
        FakeService agent = fixture.service("agent", "api", "cluster");
        // The hypervisor's start ends only once the agent's has begun: were the agent to wait for
        // the hypervisor (as when the api's whole level had to run first), it would wait in vain.
        CountDownLatch agentIn = new CountDownLatch(1);
        List<Boolean> hypervisorSawAgent = Collections.synchronizedList(new ArrayList<>());
        List<ServiceState> apiWhenAgentStarted = Collections.synchronizedList(new ArrayList<>());
        ServiceManager manager = fixture.manager(List.of(agent, hypervisor, api, cluster), List.of("cluster", "api", "hypervisor", "agent"), () -> null);
        hypervisor.onStart = () -> hypervisorSawAgent.add(meet(new CountDownLatch(0), agentIn));
        agent.onStart = () -> {
            apiWhenAgentStarted.add(status(manager, "api").state());
            agentIn.countDown();
        };

        manager.startAll().await().atMost(WAIT);

        assertThat(hypervisorSawAgent).containsExactly(true);
        assertThat(apiWhenAgentStarted).containsExactly(ServiceState.RUNNING);
        assertThat(manager.statuses()).extracting(ServiceStatus::state).containsOnly(ServiceState.RUNNING);
        assertThat(manager.statuses()).extracting(ServiceStatus::name).containsExactly("framework", "cluster", "api", "hypervisor", "agent");
    }

    @Test
    void a_failure_in_a_level_lets_the_level_finish_then_stops_everything_in_reverse() {
        FakeService a = fixture.service("a");
        FakeService b = fixture.service("b", "a");
        FakeService c = fixture.service("c", "a");
        FakeService d = fixture.service("d", "b");
        b.startTakes = Duration.ofMillis(100); // still starting when c fails
        c.failingStarts = 1;
        ServiceManager manager = fixture.manager(List.of(a, b, c, d), List.of("a", "b", "c", "d"), () -> null);

        assertThatThrownBy(() -> manager.startAll().await().atMost(WAIT))
                .isInstanceOf(AcpException.class)
                .hasMessage("service c failed to start: c could not bind its socket");

        assertThat(fixture.log.subList(0, 3)).startsWith("start a").containsExactlyInAnyOrder("start a", "start b", "start c");
        assertThat(fixture.log.subList(3, fixture.log.size())).containsExactly("stop c", "stop b", "stop a");
        assertThat(d.starts).hasValue(0);
        assertThat(manager.statuses()).filteredOn(s -> !s.name().equals("framework") && !s.name().equals("c"))
                .extracting(ServiceStatus::state).containsOnly(ServiceState.STOPPED);
    }

    private static boolean meet(CountDownLatch mine, CountDownLatch theirs) {
        mine.countDown();
        try {
            return theirs.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void a_configuration_error_fails_start_all_and_starts_nothing() {
        FakeService api = fixture.service("api", "cluster");
        ServiceManager manager = fixture.manager(List.of(api), List.of("api"), () -> null);

        assertThatThrownBy(() -> manager.startAll().await().atMost(WAIT))
                .hasMessageContaining("service api depends on cluster");
        assertThat(fixture.log).isEmpty();
    }

    @Test
    void stop_all_stops_in_reverse_order_once() {
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        FakeService agent = fixture.service("agent", "api");
        ServiceManager manager = fixture.manager(List.of(cluster, api, agent), List.of("cluster", "api", "agent"), () -> null);
        manager.startAll().await().atMost(WAIT);
        fixture.log.clear();

        manager.stopAll().await().atMost(WAIT);
        manager.stopAll().await().atMost(WAIT);

        assertThat(fixture.log).containsExactly("stop agent", "stop api", "stop cluster");
        assertThat(manager.statuses()).extracting(ServiceStatus::state).containsOnly(ServiceState.STOPPED);
    }

    @Test
    void a_failing_stop_is_recorded_and_the_rest_still_stop() {
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        api.stopFailure = new IllegalStateException("socket busy");
        ServiceManager manager = fixture.manager(List.of(cluster, api), List.of("cluster", "api"), () -> null);
        manager.startAll().await().atMost(WAIT);

        manager.stopAll().await().atMost(WAIT);

        assertThat(cluster.stops).hasValue(1);
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.STOPPED);
        assertThat(status(manager, "api").state()).isEqualTo(ServiceState.FAILED);
        assertThat(status(manager, "api").lastError()).isEqualTo("stop failed: socket busy");
    }

    @Test
    void start_all_twice_starts_once_and_can_start_again_after_stop() {
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = fixture.manager(List.of(cluster), List.of("cluster"), () -> null);

        manager.startAll().await().atMost(WAIT);
        manager.startAll().await().atMost(WAIT);
        assertThat(cluster.starts).hasValue(1);

        manager.stopAll().await().atMost(WAIT);
        manager.startAll().await().atMost(WAIT);
        assertThat(cluster.starts).hasValue(2);
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.RUNNING);
        assertThat(status(manager, "framework").state()).isEqualTo(ServiceState.RUNNING);
    }

    @Test
    void stop_all_during_start_waits_for_the_start_then_stops() {
        FakeService cluster = fixture.service("cluster");
        cluster.startTakes = Duration.ofMillis(50);
        ServiceManager manager = fixture.manager(List.of(cluster), List.of("cluster"), () -> null);

        manager.startAll();
        manager.stopAll().await().atMost(WAIT);

        assertThat(fixture.log).containsExactly("start cluster", "stop cluster");
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.STOPPED);
    }

    @Test
    void health_checks_are_recorded_while_running() {
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api");
        ServiceManager manager = fixture.manager(List.of(cluster, api), List.of("cluster", "api"), () -> null);
        manager.startAll().await().atMost(WAIT);

        cluster.health = () -> Health.unhealthy("journal disk 98% full");
        api.health = () -> {
            throw new IllegalStateException("listener gone");
        };

        eventually("cluster reports unhealthy", () -> !status(manager, "cluster").health().healthy());
        assertThat(status(manager, "cluster").health().detail()).isEqualTo("journal disk 98% full");
        eventually("api's failing check is recorded", () -> !status(manager, "api").health().healthy());
        assertThat(status(manager, "api").health().detail()).isEqualTo("health check of api failed: listener gone");
        assertThat(status(manager, "api").state()).as("health alone does not restart").isEqualTo(ServiceState.RUNNING);

        cluster.health = () -> Health.OK;
        eventually("cluster is healthy again", () -> status(manager, "cluster").health().healthy());
    }
}
