package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.node.Health;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/** What the service does when libvirt is unreachable or refuses a step. */
class HypervisorFailureTest {

    private static final String MISSING = "test:///nonexistent.xml";

    @Test
    void unreachableLibvirtAnswersUnavailableNamingTheUri() {
        try (LibvirtNode node = LibvirtNode.start(TestHypervisorConfig.testDriver().withUri(MISSING))) {
            String id = LibvirtNode.uniqueId("web");
            Health health = node.service.health();
            assertThat(health.healthy()).isFalse();
            assertThat(health.detail()).contains(MISSING);

            assertThatThrownBy(() -> node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("cannot connect to libvirt at " + MISSING, "node n1");
                    });
            // The create undid its first step: no object is left behind.
            assertThat(node.cdb.object(SystemReports.key(id))).isEmpty();
        }
    }

    @Test
    void staysUnhealthyWhileTicksCannotReachLibvirt() throws InterruptedException {
        TestHypervisorConfig fast = new TestHypervisorConfig(MISSING, java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(10),
                java.time.Duration.ofSeconds(1));
        try (LibvirtNode node = LibvirtNode.start(fast)) {
            Thread.sleep(300); // several reconcile and stats ticks
            assertThat(node.service.health().healthy()).isFalse();
            assertThat(node.service.health().detail()).contains(MISSING);
        }
    }

    @Test
    void aFailedStartUndoesDefineAndObject() {
        try (LibvirtNode node = LibvirtNode.start()) {
            String id = LibvirtNode.uniqueId("web");
            node.backend.get().failStart = new AcpException(ErrorCode.INTERNAL, "libvirt refused to start domain " + id);

            assertThatThrownBy(() -> node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("refused to start"));

            assertThat(node.backend.get().real.status(id)).isEmpty();
            assertThat(node.cdb.object(SystemReports.key(id))).isEmpty();
        }
    }

    @Test
    void aFailedStartOfAnExistingSystemKeepsItsDefinition() {
        try (LibvirtNode node = LibvirtNode.start()) {
            String id = LibvirtNode.uniqueId("web");
            node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);
            node.systems().stop(id).await().atMost(LibvirtNode.WAIT);
            node.backend.get().failStart = new AcpException(ErrorCode.INTERNAL, "libvirt refused to start domain " + id);

            assertThatThrownBy(() -> node.systems().start(id).await().atMost(LibvirtNode.WAIT)).isInstanceOf(AcpException.class);

            assertThat(node.backend.get().real.status(id).orElseThrow().state()).isEqualTo(SystemState.STOPPED);
            assertThat(node.cdb.object(SystemReports.key(id))).isPresent();
        }
    }

    @Test
    void aLostConnectionIsReopenedWithItsEventListener() throws InterruptedException {
        try (LibvirtNode node = LibvirtNode.start()) {
            String id = LibvirtNode.uniqueId("web");
            ((io.acp.hypervisor.libvirt.LibvirtBackend) node.backend.get().real).disconnect(); // as if libvirtd had restarted

            node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);
            node.backend.get().real.pause(id); // behind ACP's back: only the re-registered listener can tell

            long deadline = System.nanoTime() + LibvirtNode.WAIT.toNanos();
            String state = null;
            while (System.nanoTime() < deadline && !"paused".equals(state)) {
                Thread.sleep(20);
                state = node.cdb.meta(SystemReports.key(id), LibvirtNode.NODE).get(0).values().path("state").asText();
            }
            assertThat(state).isEqualTo("paused");
        }
    }

    @Test
    void aClosedBackendDoesNotReconnect() {
        io.acp.hypervisor.libvirt.LibvirtBackend backend = new io.acp.hypervisor.libvirt.LibvirtBackend("test:///default", "n1");
        backend.connect((name, kind) -> { });
        try (DomainListing listing = backend.listAll()) {
            assertThat(listing.read("test")).as("the driver's own domain").isPresent();
        }
        backend.close();

        assertThatThrownBy(backend::listAll)
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("node n1", "is stopping");
                });
    }

    @Test
    void operationsAreUnavailableWhileTheServiceIsStopped() {
        LibvirtNode node = LibvirtNode.start();
        node.close();

        assertThatThrownBy(node::systems)
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("hypervisor service on node n1 is not running");
                });
    }
}
