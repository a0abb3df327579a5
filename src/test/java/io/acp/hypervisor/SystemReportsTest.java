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

    @Test
    void aReportReplacesItsOwnFieldsOnlyAndDropsTheOnesItNoLongerHas() {
        reports.crashed("a", "qemu exited with signal 9");
        // other writers of this node's meta on the system: the HA service and the snapshot list
        cdb.updateMeta(SystemReports.key("a"), m -> {
            m.set("ha", Json.object().put("owner", "n1"));
            m.put("backupLast", "2026-12-02T01:00:00Z");
            return m;
        });
        reports.report("a", SystemState.RUNNING, true);

        var meta = cdb.meta(SystemReports.key("a"), "n1").get(0).values();
        assertThat(meta.path("state").asText()).isEqualTo("running");
        assertThat(meta.has("reason")).as("the crash's reason no longer applies").isFalse();
        assertThat(meta.path("ha").path("owner").asText()).isEqualTo("n1");
        assertThat(meta.path("backupLast").asText()).isEqualTo("2026-12-02T01:00:00Z");
    }
}
