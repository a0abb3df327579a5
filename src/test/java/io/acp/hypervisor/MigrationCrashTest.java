package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both nodes come back after a crash in the middle of a migration, at each step of either side:
 * each node's libvirt (the test driver, its domains as the crash left them) and its migration
 * records on disk are as the crashed process left them, and the CDBs (two real nodes with sync)
 * hold the assignment as it was. New hypervisor services start on them, as after a restart, and
 * reconcile: exactly one copy runs, the CDB assigns the system where it runs, and the records of
 * finished sides are gone. LiveMigrationIT kills real processes inside libvirt's move with a real
 * guest; this walks every step, which real processes cannot stop at on demand.
 */
class MigrationCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ID = "web";

    @TempDir
    Path dir;

    private InProcessCluster cluster;
    private final List<HypervisorService> services = new ArrayList<>();
    private final List<DelegatingBackend> backends = new ArrayList<>();

    @AfterEach
    void stop() {
        for (HypervisorService s : services) {
            try {
                s.stop().await().atMost(WAIT);
            } catch (RuntimeException e) {
                // stop the others
            }
        }
        services.clear();
        backends.clear();
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** What a domain of {@code ID} is on a node after the crash: none, defined and shut off, or running. */
    enum Domain { NONE, SHUT_OFF, PAUSED, RUNNING }

    private record Side(Domain domain, MigrationStep record) {
    }

    private static MigrationStep source(String step, boolean live) {
        return new MigrationStep(MigrationStep.Role.SOURCE, "n2", live, true, step, Instant.now());
    }

    private static MigrationStep target(boolean live) {
        return new MigrationStep(MigrationStep.Role.TARGET, "n1", live, true, MigrationStep.PREPARED, Instant.now());
    }

    /** Brings both nodes back in the state a crash left and answers the node the system runs on once they agree. */
    private String comeBack(String assignedTo, Side n1, Side n2) throws Exception {
        bringBack(assignedTo, n1, n2, false);
        return awaitOneCopy();
    }

    /**
     * Both nodes' libvirt and records as a crash left them, the CDBs assigning the system to
     * {@code assignedTo}, libvirt's job still moving the domain on n1 if {@code n1Moving}; new services on them.
     */
    private void bringBack(String assignedTo, Side n1, Side n2, boolean n1Moving) throws Exception {
        cluster = InProcessCluster.start(2);
        ObjectKey key = SystemReports.key(ID);
        cluster.node(1).cdb().putObject(key, null, Json.object().put("vcpus", 1).put("memory", 64).put("node", assignedTo), null)
                .await().atMost(WAIT);
        Eventually.await(WAIT, () -> cluster.node(2).cdb().object(key).isPresent(), "the system's object reaches n2");
        Side[] sides = {n1, n2};
        for (int i = 0; i < 2; i++) {
            String node = "n" + (i + 1);
            Path xml = dir.resolve(node + "-libvirt.xml");
            String domain = switch (sides[i].domain()) {
                case NONE -> "";
                case SHUT_OFF -> domainXml("<test:runstate>5</test:runstate>");
                case PAUSED -> domainXml("<test:runstate>3</test:runstate>");
                case RUNNING -> domainXml("");
            };
            Files.writeString(xml, "<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n" + domain + "</node>\n");
            Path records = dir.resolve(node + "-migrations");
            Files.createDirectories(records);
            if (sides[i].record() != null) {
                Files.writeString(records.resolve(ID + ".json"), sides[i].record().toJson().toString());
            }
            HypervisorConfig config = TestHypervisorConfig.testDriver().withUri("test://" + xml.toAbsolutePath());
            int n = i + 1;
            DelegatingBackend backend = new DelegatingBackend(new LibvirtBackend(config.uri(), node));
            if (i == 0 && n1Moving) {
                backend.jobsRunning.add(ID);
            }
            backends.add(backend);
            HypervisorService s = new HypervisorService(config, node, () -> cluster.node(n).cdb(), () -> backend, records);
            s.start(TestDriverNodes.context(node)).await().atMost(WAIT);
            services.add(s);
        }
    }

    private String awaitOneCopy() {
        Eventually.await(WAIT, () -> {
            services.forEach(s -> s.reconcileNow().await().atMost(WAIT));
            String a1 = assigned(1);
            return running(0) != running(1) && a1.equals(assigned(2)) && a1.equals(running(0) ? "n1" : "n2");
        }, "exactly one copy runs, where both CDBs assign it");
        return running(0) ? "n1" : "n2";
    }

    private static String domainXml(String extra) {
        return "<domain type='test'><name>" + ID + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os>" + extra
                + "</domain>\n";
    }

    private boolean running(int i) {
        Optional<DomainStatus> s = backends.get(i).status(ID);
        return s.isPresent() && s.get().state() == SystemState.RUNNING;
    }

    private String assigned(int node) {
        return cluster.node(node).cdb().object(SystemReports.key(ID)).map(e -> e.spec().path("node").asText()).orElse("");
    }

    private boolean recorded(int node) {
        return Files.exists(dir.resolve("n" + node + "-migrations").resolve(ID + ".json"));
    }

    private void awaitNoRecord(int node) {
        Eventually.await(WAIT, () -> {
            services.forEach(s -> s.reconcileNow().await().atMost(WAIT));
            return !recorded(node);
        }, "node n" + node + " drops its migration record");
    }

    @Test
    void liveSourceCrashedBeforeLibvirtMovedItKeepsIt() throws Exception {
        // Crashed while asking the target, or inside a move libvirt then abandoned: the guest still runs on the source.
        for (String step : List.of(MigrationStep.PREPARING, MigrationStep.MOVING)) {
            assertThat(comeBack("n1", new Side(Domain.RUNNING, source(step, true)), new Side(Domain.NONE, target(true))))
                    .as("step %s", step).isEqualTo("n1");
            awaitNoRecord(1);
            stop();
        }
    }

    @Test
    void liveSourceBackWhileLibvirtStillMovesItWaitsForTheMoveToEnd() throws Exception {
        // libvirt's job outlives the process that started it: the source's acp is back while the guest
        // still runs here and its incoming copy waits, paused, on the target. Dropping the record now
        // would leave the system assigned here after libvirt moved it: a start here, a second copy.
        bringBack("n1", new Side(Domain.RUNNING, source(MigrationStep.MOVING, true)), new Side(Domain.PAUSED, target(true)), true);
        for (int i = 0; i < 3; i++) {
            services.forEach(s -> s.reconcileNow().await().atMost(WAIT));
        }
        assertThat(recorded(1)).as("the source's record while libvirt's job runs").isTrue();
        assertThat(assigned(1)).isEqualTo("n1");
        assertThatThrownBy(() -> services.get(0).systems().stop(ID).await().atMost(WAIT))
                .as("an operation on the system at the source before its migration is finished").hasMessageContaining("being migrated");

        // libvirt's switchover: the target resumes, the source's copy is destroyed and undefined, the job ends.
        backends.get(1).resume(ID);
        backends.get(0).destroy(ID);
        backends.get(0).undefine(ID);
        backends.get(0).jobsRunning.clear();
        assertThat(awaitOneCopy()).isEqualTo("n2");
        awaitNoRecord(1);
        awaitNoRecord(2);
    }

    @Test
    void liveSourceCrashedAfterLibvirtMovedItHandsItOver() throws Exception {
        // moving (libvirt finished the move after the source died), moved, assigned: the guest runs on the target.
        for (String step : List.of(MigrationStep.MOVING, MigrationStep.MOVED, MigrationStep.ASSIGNED)) {
            String assignedTo = step.equals(MigrationStep.ASSIGNED) ? "n2" : "n1";
            assertThat(comeBack(assignedTo, new Side(Domain.NONE, source(step, true)), new Side(Domain.RUNNING, target(true))))
                    .as("step %s", step).isEqualTo("n2");
            awaitNoRecord(1);
            awaitNoRecord(2);
            stop();
        }
    }

    @Test
    void liveTargetCrashedBeforeTheConfirmKeepsWhatLibvirtMoved() throws Exception {
        // The source finished (assigned, no record left) while the target was down.
        assertThat(comeBack("n2", new Side(Domain.NONE, null), new Side(Domain.RUNNING, target(true)))).isEqualTo("n2");
        awaitNoRecord(2);
    }

    @Test
    void offlineSourceCrashedBeforeTheAssignmentStartsItAgainHere() throws Exception {
        // Shut down for the move, defined on the target, not yet assigned: it runs here again.
        assertThat(comeBack("n1", new Side(Domain.SHUT_OFF, source(MigrationStep.MOVING, false)),
                new Side(Domain.SHUT_OFF, target(false)))).isEqualTo("n1");
        awaitNoRecord(1);
    }

    @Test
    void offlineMoveCrashedAfterTheAssignmentStartsOnTheTarget() throws Exception {
        // Assigned to the target, the confirm (start) never arrived: the target starts it, the source drops its copy.
        assertThat(comeBack("n2", new Side(Domain.SHUT_OFF, source(MigrationStep.ASSIGNED, false)),
                new Side(Domain.SHUT_OFF, target(false)))).isEqualTo("n2");
        awaitNoRecord(1);
        awaitNoRecord(2);
        Eventually.await(WAIT, () -> {
            services.forEach(s -> s.reconcileNow().await().atMost(WAIT));
            return backends.get(0).status(ID).isEmpty();
        }, "the source's stopped copy is removed");
    }
}
