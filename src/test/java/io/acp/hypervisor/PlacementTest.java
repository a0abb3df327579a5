package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.Readiness;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in one JVM sharing one CDB over loopback multicast, each with its own hypervisor
 * on its own libvirt test driver: systems created without a node go where the node stats say there
 * is most room, and a system runs on its assigned node only.
 */
class PlacementTest {

    private static final Duration SYNC = Duration.ofSeconds(15);
    private static final double MIB = 1024.0 * 1024.0;

    @TempDir
    Path dir;

    private InProcessCluster cluster;
    private TestDriverNodes nodes;

    @BeforeEach
    void start() {
        cluster = InProcessCluster.start(3);
        Map<String, Supplier<Cdb>> cdbs = new LinkedHashMap<>();
        for (InProcessCluster.Node n : cluster.nodes()) {
            cdbs.put(n.id, n::cdb);
        }
        nodes = TestDriverNodes.start(dir, cdbs);
        // What each node's framework publishes: its stats and its hypervisor service running.
        publish(1, 300, 4, 0.5);
        publish(2, 700, 4, 0.5);
        publish(3, 900, 2, 0.0);
        cluster.awaitConverged(SYNC);
        for (InProcessCluster.Node n : cluster.nodes()) {
            awaitReadinessOn(cluster.node(1).cdb(), n.id, "ready"); // a node still syncing is never chosen
        }
    }

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
        cluster.close();
    }

    private void publish(int i, int freeMiB, int cpus, double busy) {
        InProcessCluster.Node n = cluster.node(i);
        n.cdb().putStats(ObjectKey.of(ObjectType.NODE, n.id), Map.of("memAvailable", freeMiB * MIB, "cpus", (double) cpus, "cpu", busy));
        n.cdb().putMeta(ObjectKey.of(ObjectType.SERVICE, n.id + ":hypervisor"), Json.object().put("state", "running"));
    }

    private static ObjectNode spec(int memoryMiB) {
        return Json.object().put("vcpus", 1).put("memory", memoryMiB);
    }

    private ObjectNode create(String id, int memoryMiB) {
        return nodes.node("n1").systems().create(id, spec(memoryMiB), nodes.calls()).await().atMost(LibvirtNode.WAIT);
    }

    private void awaitMetaOn(Cdb viewer, String id, String node, String state) {
        Eventually.await(SYNC, () -> {
            List<MetaEntry> m = viewer.meta(SystemReports.key(id), node);
            return !m.isEmpty() && m.get(0).values().path("state").asText().equals(state);
        }, () -> "meta of system " + id + " from " + node + " as " + viewer.localNode() + " sees it: " + viewer.meta(SystemReports.key(id), null));
    }

    @Test
    void systemsGoWhereThereIsMostRoomAndRunOnlyThere() {
        ObjectNode a = create("big", 400);

        assertThat(a.path("node").asText()).as("n3 has 900 MiB free").isEqualTo("n3");
        assertThat(a.path("state").asText()).isEqualTo("running");
        assertThat(nodes.node("n3").libvirt().status("big")).hasValueSatisfying(d -> assertThat(d.state()).isEqualTo(SystemState.RUNNING));
        assertThat(nodes.node("n1").libvirt().status("big")).isEmpty();
        assertThat(nodes.node("n2").libvirt().status("big")).isEmpty();
        assertThat(cluster.node(3).cdb().object(SystemReports.key("big")).orElseThrow().spec().path("node").asText()).isEqualTo("n3");

        // n1 sees "big" running on n3: n3 now has 900 - 400 = 500 MiB, n2 still 700.
        awaitMetaOn(cluster.node(1).cdb(), "big", "n3", "running");
        // n1 lists it as its owner reports it.
        assertThat(nodes.node("n1").systems().list().await().atMost(LibvirtNode.WAIT))
                .anySatisfy(l -> assertThat(l.path("id").asText() + " " + l.path("state").asText() + " " + l.path("node").asText())
                        .isEqualTo("big running n3"));
        assertThat(nodes.node("n1").systems().show("big").await().atMost(LibvirtNode.WAIT).path("meta").path("node").asText()).isEqualTo("n3");
        assertThat(create("small", 100).path("node").asText()).isEqualTo("n2");

        assertThatThrownBy(() -> create("huge", 800))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("no node has room for system huge", "n2 has", "n3 has");
                });
    }

    @Test
    void aNodeStillSyncingIsNotChosenUntilItIsReady() {
        // n3 has the most room (900 MiB) but says it is still catching up: it cannot make the
        // conditional write that starts a system, so a create must not land there.
        holdSyncingInViewOfN1();

        assertThat(create("first", 400).path("node").asText()).as("n2 is the roomiest node that is ready").isEqualTo("n2");
        assertThatThrownBy(() -> create("huge", 800))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage())
                        .contains("no node has room for system huge", "rule syncing", "n3"));

        cluster.node(3).cdb().readiness(Readiness.READY);
        hearN3(true);
        awaitReadinessOn(cluster.node(1).cdb(), "n3", "ready");
        assertThat(create("second", 400).path("node").asText()).as("n3, ready again, has the most room").isEqualTo("n3");
    }

    /**
     * Makes n1 see n3 as syncing and keep seeing it. n3's own sync sets a node that holds the
     * cluster's state back to ready at its next heartbeat (once ready, a node stays ready), so
     * n1 and n2 stop hearing n3 once n1 has seen the syncing meta (n2 too, or it would relay n3's
     * ready meta to n1); a ready meta already on its way may still land, in which case this starts again.
     */
    private void holdSyncingInViewOfN1() {
        Cdb n1 = cluster.node(1).cdb();
        Eventually.await(SYNC, () -> {
            hearN3(true);
            cluster.node(3).cdb().readiness(Readiness.SYNCING);
            // n3 may be ready again before n1 looks: then n1 never shows syncing, and this starts again
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (!Placement.syncing(n1, "n3")) {
                if (System.nanoTime() > until) {
                    return false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            hearN3(false);
            sleepOneHeartbeat(); // lets a datagram received before the block be merged
            return Placement.syncing(n1, "n3") && Placement.syncing(cluster.node(2).cdb(), "n3");
        }, () -> "n1 keeps seeing n3 as syncing: " + n1.meta(ObjectKey.of(ObjectType.NODE, "n3"), "n3"));
    }

    private void hearN3(boolean hear) {
        for (int i = 1; i <= 2; i++) {
            cluster.node(i).faults().blockFrom(hear ? Set.of() : Set.of("n3"));
        }
    }

    private void sleepOneHeartbeat() {
        try {
            Thread.sleep(cluster.settings().heartbeatInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReadinessOn(Cdb viewer, String node, String readiness) {
        Eventually.await(SYNC, () -> viewer.meta(ObjectKey.of(ObjectType.NODE, node), node).stream()
                        .anyMatch(m -> readiness.equals(m.values().path("readiness").asText())),
                () -> "node meta of " + node + " as " + viewer.localNode() + " sees it: " + viewer.meta(ObjectKey.of(ObjectType.NODE, node), node));
    }

    @Test
    void aStartOnAnotherNodeIsRefusedNamingTheOwner() {
        create("web", 200);
        Eventually.await(SYNC, () -> cluster.node(2).cdb().object(SystemReports.key("web")).isPresent(), "system web reaches n2");

        assertThatThrownBy(() -> nodes.node("n2").systems().start("web").await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("system web", "assigned to node n3");
                });
        assertThat(nodes.node("n2").libvirt().status("web")).isEmpty();
    }

    @Test
    void theReconcileRemovesACopyOfASystemAssignedElsewhere() {
        create("db", 200);
        Eventually.await(SYNC, () -> cluster.node(1).cdb().object(SystemReports.key("db")).isPresent(), "system db reaches n1");
        // A copy started on n1 behind ACP's back (or left from a claim that lost a race).
        SystemSpec spec = SystemSpec.parse("db", cluster.node(1).cdb().object(SystemReports.key("db")).orElseThrow().spec());
        nodes.node("n1").libvirt().define(DomainXml.of(spec, "test"));
        nodes.node("n1").libvirt().start("db");

        nodes.node("n1").service().reconcileNow().await().atMost(LibvirtNode.WAIT);

        assertThat(nodes.node("n1").libvirt().status("db")).isEmpty();
        assertThat(nodes.node("n3").libvirt().status("db")).hasValueSatisfying(d -> assertThat(d.state()).isEqualTo(SystemState.RUNNING));
    }

    @Test
    void aSystemWithoutAnAssignmentIsClaimedByTheNodeThatStartsIt() {
        cluster.node(2).cdb().putObject(SystemReports.key("free"), null, spec(64), null).await().atMost(LibvirtNode.WAIT);

        ObjectNode started = nodes.node("n2").systems().start("free").await().atMost(LibvirtNode.WAIT);

        assertThat(started.path("state").asText()).isEqualTo("running");
        assertThat(cluster.node(2).cdb().object(SystemReports.key("free")).orElseThrow().spec().path("node").asText()).isEqualTo("n2");
        Eventually.await(SYNC, () -> cluster.node(1).cdb().object(SystemReports.key("free"))
                .map(o -> o.spec().path("node").asText().equals("n2")).orElse(false), "the claim reaches n1");
        assertThatThrownBy(() -> nodes.node("n1").systems().start("free").await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("assigned to node n2"));
    }
}
