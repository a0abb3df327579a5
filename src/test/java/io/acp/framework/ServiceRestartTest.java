package io.acp.framework;

import io.acp.node.ServiceStatus;
import io.acp.node.ServiceState;
import io.acp.node.ServiceContext;
import io.acp.node.ManagedService;
import static io.acp.framework.ManagerFixture.eventually;
import static io.acp.framework.ManagerFixture.status;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runtime failures: FAILED, stopped, restarted after a growing backoff; dependents left alone. */
class ServiceRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManagerFixture fixture = new ManagerFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private ServiceManager started(FakeService... services) {
        List<ManagedService> all = List.of(services);
        ServiceManager manager = fixture.manager(all, all.stream().map(ManagedService::name).toList(), () -> null);
        manager.startAll().await().atMost(WAIT);
        fixture.log.clear();
        return manager;
    }

    @Test
    void a_failed_service_is_stopped_marked_failed_then_restarted_after_the_backoff() {
        fixture.timers.gated = true;
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);

        cluster.fail("multicast socket closed");

        ServiceStatus failed = status(manager, "cluster");
        assertThat(failed.state()).isEqualTo(ServiceState.FAILED);
        assertThat(failed.lastError()).isEqualTo("multicast socket closed");
        assertThat(failed.health().healthy()).isFalse();
        assertThat(fixture.log).containsExactly("stop cluster");
        assertThat(fixture.timers.delays).containsExactly(Duration.ofMillis(1));

        fixture.timers.release();

        assertThat(fixture.log).containsExactly("stop cluster", "start cluster");
        ServiceStatus restarted = status(manager, "cluster");
        assertThat(restarted.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(restarted.restarts()).isEqualTo(1);
        assertThat(restarted.lastError()).isEqualTo("multicast socket closed");
        assertThat(restarted.health().healthy()).isTrue();
    }

    @Test
    void the_backoff_doubles_up_to_the_maximum() {
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);

        for (int i = 0; i < 4; i++) {
            cluster.fail("failure " + i);
        }

        assertThat(fixture.timers.delays).containsExactly(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(4), Duration.ofMillis(4));
        assertThat(status(manager, "cluster").restarts()).isEqualTo(4);
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.RUNNING);
    }

    @Test
    void a_failing_restart_is_retried_with_a_longer_backoff() {
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);
        cluster.failingStarts = 2;

        cluster.fail("journal unreadable");

        assertThat(fixture.timers.delays).containsExactly(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(4));
        assertThat(cluster.starts).hasValue(4);
        ServiceStatus s = status(manager, "cluster");
        assertThat(s.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(s.restarts()).isEqualTo(3);
        assertThat(s.lastError()).isEqualTo("cluster could not bind its socket");
    }

    @Test
    void the_backoff_starts_over_after_a_long_enough_run() {
        FakeService cluster = fixture.service("cluster");
        started(cluster);

        cluster.fail("one");
        cluster.fail("two");
        fixture.clock.advance(ManagerFixture.TINY.resetAfter());
        cluster.fail("three");

        assertThat(fixture.timers.delays).containsExactly(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(1));
    }

    @Test
    void dependents_keep_running_while_their_dependency_restarts() {
        fixture.timers.gated = true;
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        ServiceManager manager = started(cluster, api);

        cluster.fail("gone");
        assertThat(status(manager, "api").state()).isEqualTo(ServiceState.RUNNING);
        fixture.timers.release();

        assertThat(fixture.log).containsExactly("stop cluster", "start cluster");
        assertThat(status(manager, "api").restarts()).isZero();
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.RUNNING);
    }

    @Test
    void stop_all_cancels_a_pending_restart() {
        fixture.timers.gated = true;
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);
        cluster.fail("gone");
        assertThat(fixture.timers.waiting()).isEqualTo(1);

        manager.stopAll().await().atMost(WAIT);
        fixture.timers.release();

        assertThat(cluster.starts).as("no restart after stopAll").hasValue(1);
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.STOPPED);
    }

    @Test
    void a_failure_reported_by_an_old_incarnation_is_ignored() {
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);
        ServiceContext first = cluster.context;
        cluster.fail("gone");
        assertThat(status(manager, "cluster").restarts()).isEqualTo(1);

        first.failed(new IllegalStateException("late echo of the old failure"));

        assertThat(status(manager, "cluster").restarts()).isEqualTo(1);
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.RUNNING);
    }

    @Test
    void a_failure_reported_while_starting_restarts_the_service_once_it_is_up() {
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);
        cluster.onStart = () -> {
            if (cluster.starts.get() == 2) {
                cluster.fail("lost the socket while starting");
            }
        };

        cluster.fail("first");

        eventually("the second failure is restarted", () -> cluster.starts.get() == 3);
        assertThat(status(manager, "cluster").restarts()).isEqualTo(2);
        assertThat(status(manager, "cluster").lastError()).isEqualTo("lost the socket while starting");
    }

    @Test
    void a_restart_still_starting_when_the_node_stops_is_stopped_once_it_is_up() {
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = started(cluster);
        cluster.startTakes = Duration.ofMillis(100);
        cluster.fail("gone");
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.STARTING);

        manager.stopAll().await().atMost(WAIT);

        eventually("the late start is stopped again", () -> cluster.stops.get() == 3);
        assertThat(fixture.log).containsExactly("stop cluster", "start cluster", "stop cluster", "stop cluster");
        assertThat(status(manager, "cluster").state()).isEqualTo(ServiceState.STOPPED);
    }
}
