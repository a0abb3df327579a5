package io.acp.framework;

import static io.acp.framework.ManagerFixture.eventually;
import static io.acp.framework.ManagerFixture.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.hypervisor.HypervisorBackend;
import io.acp.hypervisor.HypervisorConfig;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.libvirt.LibvirtBackends;
import io.acp.node.ManagedService;
import io.acp.node.ServiceState;
import io.acp.node.ServiceStatus;
import io.acp.testing.TestConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failed pipeline is a failed service: the real hypervisor service on libvirt's test driver,
 * under the real manager, whose backend first throws what no collector expects and then hangs.
 * Each time the manager marks it failed, stops it and starts it again with backoff, and once the
 * backend behaves the service runs and is healthy again.
 */
class PipelineFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManagerFixture fixture = new ManagerFixture();
    private final Cdb cdb = Cdb.inMemory("n1");
    /** What the backend's listAll() does: null is "behave". */
    private final AtomicReference<Fault> fault = new AtomicReference<>();
    private volatile CountDownLatch hang = new CountDownLatch(1);

    private enum Fault { THROW, HANG }

    @AfterEach
    void close() {
        hang.countDown();
        fixture.close();
    }

    private HypervisorService hypervisor() {
        HypervisorConfig config = TestConfig.of(Map.of(
                "acp.hypervisor.uri", "test:///default",
                "acp.hypervisor.reconcile-interval", "20ms",
                "acp.hypervisor.stats-interval", "1h"), HypervisorConfig.class).mapping(HypervisorConfig.class);
        return new HypervisorService(config, "n1", () -> cdb, () -> faulty(new LibvirtBackends().open(config.uri(), "n1")));
    }

    /** The real backend, whose listAll() fails or blocks while a fault is set. */
    private HypervisorBackend faulty(HypervisorBackend real) {
        return (HypervisorBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HypervisorBackend.class}, (p, m, args) -> {
            Fault f = fault.get();
            if (m.getName().equals("listAll") && f == Fault.THROW) {
                throw new IllegalStateException("injected: listAll() broke");
            }
            if (m.getName().equals("listAll") && f == Fault.HANG) {
                hang.await();
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private ServiceManager started(ManagedService service, Duration stall) {
        List<ManagedService> all = List.of(fixture.service("cluster"), service);
        ServiceManager manager = fixture.managerWithStallTimeout(all, () -> cdb, stall);
        manager.startAll().await().atMost(WAIT);
        return manager;
    }

    @Test
    void a_collector_that_throws_fails_the_service_which_is_restarted_and_recovers() {
        ServiceManager manager = started(hypervisor(), Duration.ofMinutes(5));
        try {
            fault.set(Fault.THROW);
            eventually("the hypervisor failed and was restarted", () -> status(manager, "hypervisor").restarts() >= 1);
            assertThat(status(manager, "hypervisor").lastError())
                    .contains("hypervisor service of node n1: its reconcile failed")
                    .contains("injected: listAll() broke");

            fault.set(null);
            eventually("the hypervisor runs and is healthy", () -> runningAndHealthy(status(manager, "hypervisor")));
        } finally {
            manager.stopAll().await().atMost(WAIT);
        }
    }

    @Test
    void a_backend_that_hangs_fails_the_service_after_the_stall_timeout_and_it_is_restarted() {
        ServiceManager manager = started(hypervisor(), Duration.ofMillis(300));
        try {
            fault.set(Fault.HANG);
            eventually("the hung hypervisor was failed and restarted", () -> status(manager, "hypervisor").restarts() >= 1);
            assertThat(status(manager, "hypervisor").lastError())
                    .contains("its reconcile has not finished within PT0.3S (acp.node.stall-timeout)");

            fault.set(null);
            hang.countDown();
            eventually("the hypervisor runs and is healthy", () -> runningAndHealthy(status(manager, "hypervisor")));
        } finally {
            manager.stopAll().await().atMost(WAIT);
        }
    }

    private static boolean runningAndHealthy(ServiceStatus s) {
        return s.state() == ServiceState.RUNNING && s.health().healthy();
    }
}
