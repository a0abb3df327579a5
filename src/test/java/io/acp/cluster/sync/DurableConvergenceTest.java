package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.cluster.journal.Journal;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.SmallDisk;
import io.acp.testing.Eventually;
import io.acp.security.PkiFiles;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes on loopback multicast, each with a real journal; n1's on a 1 MiB tmpfs that the
 * test fills (the tests run as root). The nodes are made to diverge by every path there is: a local
 * write the full disk refuses, a peer's write the full disk cannot take, a node that crashed after
 * fsyncing an entry and before publishing it. A refused write takes effect nowhere; once the disk
 * has room again the nodes converge by anti-entropy alone, without a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DurableConvergenceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String BIG = "x".repeat(8 * 1024);

    @TempDir
    Path tmp;
    private Path small;
    private final List<Node> nodes = new ArrayList<>();

    private record Node(String id, Cdb cdb, ClusterSync sync) {
    }

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        small = Files.createDirectories(tmp.resolve("small"));
        SmallDisk.mount(small, "1m");
    }

    @AfterEach
    void stopAndUnmount() throws Exception {
        for (Node n : nodes) {
            n.sync.stop().await().atMost(WAIT);
            n.cdb.close();
        }
        SmallDisk.unmount(small);
    }

    private PkiFiles ca;

    private PkiFiles ca() {
        if (ca == null) {
            ca = TestPki.newCluster(tmp.resolve("ca"), "durable");
        }
        return ca;
    }

    private Node start(String id, Path journalDir, SyncSettings settings) {
        Cdb cdb = new Cdb(id, new HybridClock(), Journal.open(journalDir, true, 1 << 30), 10);
        cdb.recover();
        Path dataDir = tmp.resolve("data-" + id);
        TestPki.provision(ca(), dataDir, id); // sync seals entries with the node's key
        ClusterSync sync = new ClusterSync(cdb, settings, id, dataDir);
        sync.start().await().atMost(WAIT);
        Node n = new Node(id, cdb, sync);
        nodes.add(n);
        return n;
    }

    private void stop(Node n) {
        n.sync.stop().await().atMost(WAIT);
        n.cdb.close();
        nodes.remove(n);
    }

    @Test
    void nodesDivergedByEveryPathConvergeOnceTheDiskHasRoom() throws Exception {
        SyncSettings settings = InProcessCluster.testSettings("durable", "durable before visible secret 0123");
        Node n1 = start("n1", small.resolve("journal"), settings);
        Node n2 = start("n2", tmp.resolve("n2-journal"), settings);
        ObjectKey shared = ObjectKey.of(ObjectType.SYSTEM, "shared");
        n1.cdb.putObject(shared, null, Json.object().put("v", 1), null).await().atMost(WAIT);
        awaitConverged(n1, n2);

        Path filler = SmallDisk.fill(small);

        // 1. a local write on the full node: refused, and nowhere, not even for a moment
        ObjectKey refused = ObjectKey.of(ObjectType.SYSTEM, "refused");
        assertThatThrownBy(() -> n1.cdb.putObject(refused, null, Json.object().put("blob", BIG), null).await().atMost(WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("No space left on device");
                });
        assertThatThrownBy(() -> n1.cdb.putObject(shared, null, Json.object().put("v", 2).put("blob", BIG), null).await().atMost(WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
        assertThat(n1.cdb.entry(refused)).isEmpty();
        assertThat(n1.cdb.object(shared).orElseThrow().spec().path("v").asInt()).isEqualTo(1);
        assertThat(n1.cdb.pendingWrites()).isZero();

        // 2. a write on the healthy node that the full one cannot journal: not in n1's digest
        ObjectKey fromN2 = ObjectKey.of(ObjectType.SYSTEM, "from-n2");
        ObjectEntry n2Write = n2.cdb.putObject(fromN2, null, Json.object().put("blob", BIG), null).await().atMost(WAIT);

        // 3. n2 crashes after fsyncing a write and before publishing it: only its journal has it
        stop(n2);
        ObjectKey crashed = ObjectKey.of(ObjectType.SYSTEM, "fsynced-then-crashed");
        ObjectEntry unpublished = new ObjectEntry(crashed, null, Json.object().put("v", 1),
                new Version(new HybridClock().now(), "n2"), false);
        try (Journal j = Journal.open(tmp.resolve("n2-journal"), true, 1 << 30)) {
            j.append(unpublished).await().atMost(WAIT);
        }
        n2 = start("n2", tmp.resolve("n2-journal"), settings);
        assertThat(n2.cdb.entry(crashed)).contains(unpublished);

        // a few anti-entropy rounds on the full disk: n1 cannot take them, so the nodes stay apart
        Node n2now = n2;
        Eventually.await(WAIT, () -> n2now.sync.stats().get("sync.pulls.served") > 3, "n1 keeps pulling from n2");
        assertThat(n1.sync.digest()).isNotEqualTo(n2.sync.digest());
        assertThat(n1.cdb.entry(fromN2)).isEmpty();
        assertThat(n2.cdb.entry(refused)).as("the refused write reached the peer").isEmpty();
        assertThat(n2.cdb.object(shared).orElseThrow().spec().path("v").asInt()).isEqualTo(1);

        Files.delete(filler);
        long freed = System.nanoTime();
        awaitConverged(n1, n2);
        long convergedMillis = (System.nanoTime() - freed) / 1_000_000;
        assertThat(n1.cdb.entry(fromN2)).contains(n2Write);
        assertThat(n1.cdb.entry(crashed)).contains(unpublished);
        for (Node n : nodes) {
            assertThat(n.cdb.entry(refused)).as("refused write on %s", n.id).isEmpty();
            assertThat(n.cdb.object(shared).orElseThrow().spec().path("v").asInt()).as("shared on %s", n.id).isEqualTo(1);
        }
        // the test settings pull every 150 ms: a handful of rounds, not a restart
        assertThat(convergedMillis).as("converged %d ms after the disk was freed", convergedMillis).isLessThan(WAIT.toMillis());
    }

    private static void awaitConverged(Node a, Node b) {
        Eventually.await(WAIT, () -> a.sync.digest().equals(b.sync.digest()),
                () -> "digests differ: " + a.id + " " + a.sync.digest() + " " + a.sync.stats() + ", " + b.id + " " + b.sync.digest() + " " + b.sync.stats());
    }
}
