package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The order in which the reconcile and libvirt's events report a crash must not lose the VMM. */
class SystemReportsTest {

    private final Cdb cdb = Cdb.inMemory("n1");
    private final SystemReports reports = new SystemReports("n1", cdb, Clock.systemUTC());
    private final Vmm vmm = new Vmm(4242, "/machine/qemu-1-a.scope", "running");

    SystemReportsTest() {
        cdb.putObject(SystemReports.key("a"), null, Json.object().put("vcpus", 1), null).await().indefinitely();
    }

    @Test
    void aCrashEventAfterTheReconcileSawTheDomainShutOffStillMarksTheVmmCrashed() {
        reports.report("a", SystemState.RUNNING, true);
        reports.vmm("a", vmm);
        reports.observed("a", Optional.empty()); // the reconcile: no domain running any more
        reports.event("a", DomainEventKind.CRASHED);

        SystemReport now = reports.last("a").orElseThrow();
        assertThat(now.state()).isEqualTo(SystemState.FAILED);
        assertThat(now.vmm()).isEqualTo(vmm.crashed());
    }

    @Test
    void aCrashEventFirstMarksTheVmmCrashed() {
        reports.report("a", SystemState.RUNNING, true);
        reports.vmm("a", vmm);
        reports.event("a", DomainEventKind.CRASHED);

        assertThat(reports.last("a").orElseThrow().vmm()).isEqualTo(vmm.crashed());
    }
}
