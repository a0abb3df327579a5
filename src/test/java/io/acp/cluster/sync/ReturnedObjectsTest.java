package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Readiness;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Objects a peer holds under its author's pair tag only, whose seal never reached it: the peer
 * cannot relay them to anyone else, so it hands them back to their author, which seals them. Real
 * journaled nodes on loopback multicast; n2 is made to miss every seal of n1's, as it would if n1
 * crashed (or lost its disk) less than a heartbeat after the writes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReturnedObjectsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** What n2 does not hear while it is made to miss seals: sealed deltas, their seal tags, and anti-entropy answers. */
    private static final Set<MessageType> SEALED = Set.of(MessageType.DELTA, MessageType.SEAL_TAGS, MessageType.ENTRIES);
    private static final int COUNT = 5;

    /** n1 loses its disk after the writes: n2 gives them back, and every node holds them again, sealed. */
    @Test
    void anAuthorBackOnAnEmptyDiskGetsItsWritesBackFromThePeerThatHeldThemUnsealed() throws IOException {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            List<ObjectEntry> written = writtenAndHeldUnsealed(c);
            backOnAnEmptyDisk(c);

            Eventually.await(WAIT, () -> holdsAll(c.node(1), written), "n1, back on an empty disk, holds its writes again");
            c.awaitConverged(WAIT);
            c.stop(1); // from here on only n2 can give them to anyone: it must hold their seal now
            InProcessCluster.Node joined = c.join();
            Eventually.await(WAIT, () -> holdsAll(joined, written), "a node that joins once n1 is gone gets n1's writes from n2");
        }
    }

    /**
     * n1 loses its disk after the writes: it is not ready before it holds them again, so no read of
     * one answers {@code not_found}. (Without the returns it does not become ready at all: n2's root
     * never agrees with its own.)
     */
    @Test
    void anAuthorBackOnAnEmptyDiskIsNotReadyBeforeItHoldsItsWritesAgain() throws IOException {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            List<ObjectEntry> written = writtenAndHeldUnsealed(c);
            backOnAnEmptyDisk(c);

            Eventually.await(WAIT, () -> c.node(1).cdb().readiness() == Readiness.READY, "n1 is ready");
            assertThat(holdsAll(c.node(1), written)).as("n1 holds its writes when it is ready").isTrue();
        }
    }

    /**
     * As above, but n1 loses n2's first hand-back (every RETURNED datagram until it has dropped
     * one): n2 sends it again later, and n1 is not ready in between. Polled every few milliseconds
     * from n1's start: whenever n1 says it is ready, it holds its writes.
     */
    @Test
    void anAuthorThatLosesTheFirstHandBackIsNotReadyBeforeTheNextOneBringsItsWrites() throws Exception {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            List<ObjectEntry> written = writtenAndHeldUnsealed(c);
            backOnAnEmptyDisk(c, faults -> faults.dropTypes(Set.of(MessageType.RETURNED)));
            long giveUp = System.nanoTime() + WAIT.toNanos();
            boolean lifted = false;
            while (c.node(1).cdb().readiness() != Readiness.READY || !lifted) {
                if (!lifted && c.node(1).faults().dropped() > 0) {
                    c.node(1).faults().dropTypes(Set.of()); // the first hand-back is lost; the next gets through
                    lifted = true;
                }
                if (c.node(1).cdb().readiness() == Readiness.READY) {
                    assertThat(holdsAll(c.node(1), written)).as("n1 holds its writes whenever it is ready (hand-back lost: %s)", lifted).isTrue();
                }
                assertThat(System.nanoTime()).as("n1 ready within %s", WAIT).isLessThan(giveUp);
                Thread.sleep(2);
            }
            assertThat(holdsAll(c.node(1), written)).as("n1 holds its writes when it is ready").isTrue();
            assertThat(c.node(2).sync().stats().get("sync.objects.returned")).as("hand-backs sent, the lost one and the next").isGreaterThan(COUNT);
        }
    }

    /** n1 restarts on its disk: it holds the writes, and seals them again for n2, which can relay them from then on. */
    @Test
    void anAuthorBackOnItsDiskSealsAgainWhatAPeerHeldUnsealed() {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            List<ObjectEntry> written = writtenAndHeldUnsealed(c);

            c.stop(1); // its seals at the stop are dropped by n2 too
            c.node(2).faults().dropTypes(Set.of());
            c.restart(1);
            c.awaitConverged(WAIT);
            Eventually.await(WAIT, () -> written.stream().allMatch(e -> c.node(2).sync().sealed(e).isPresent()),
                    "n2 holds the seal of every write of n1's");

            c.stop(1);
            InProcessCluster.Node joined = c.join();
            Eventually.await(WAIT, () -> holdsAll(joined, written), "a node that joins once n1 is gone gets n1's writes from n2");
        }
    }

    /** n1 runs on; n2 lost both copies of each seal: once the seals are late, n2 returns the objects and n1 seals them again. */
    @Test
    void aLiveAuthorSealsAgainWhatAPeerLostTheSealsOf() throws InterruptedException {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            List<ObjectEntry> written = writtenAndHeldUnsealed(c);
            Eventually.await(WAIT, () -> c.node(1).sync().stats().get("sync.seals.awaiting") == 0, "n1 has sent its seals (n2 dropped them)");
            // n1 sends each seal again at its next heartbeat: n2 must drop that copy too
            long dropped = c.node(2).faults().dropped();
            Eventually.await(WAIT, () -> c.node(2).faults().dropped() > dropped, "n2 dropped n1's second copy of its seals");
            Thread.sleep(3 * c.settings().heartbeatInterval().toMillis());
            assertThat(written).as("n2 holds no seal of them").allMatch(e -> c.node(2).sync().sealed(e).isEmpty());

            c.node(2).faults().dropTypes(Set.of());
            Eventually.await(WAIT, () -> written.stream().allMatch(e -> c.node(2).sync().sealed(e).isPresent()),
                    () -> "n2 holds the seal of every write of n1's: " + c.node(2).sync().stats());
            assertThat(c.node(2).sync().stats().get("sync.objects.returned")).isGreaterThanOrEqualTo(COUNT);
            assertThat(c.node(1).sync().stats().get("sync.objects.sealed-again")).isGreaterThanOrEqualTo(COUNT);
        }
    }

    /** n1's writes, which n2 holds under tags only: from here on it drops every seal of n1's. */
    private static List<ObjectEntry> writtenAndHeldUnsealed(InProcessCluster c) {
        c.awaitConverged(WAIT);
        c.node(2).faults().dropTypes(SEALED);
        List<ObjectEntry> written = write(c.node(1));
        Eventually.await(WAIT, () -> holdsAll(c.node(2), written), "n2 holds n1's writes, under tags only");
        return written;
    }

    /** n1 loses its disk and starts again on an empty one; from here on n2 hears its seals. */
    private static void backOnAnEmptyDisk(InProcessCluster c) throws IOException {
        backOnAnEmptyDisk(c, faults -> { });
    }

    /** As above, with n1's receive-side faults set before it starts. */
    private static void backOnAnEmptyDisk(InProcessCluster c, java.util.function.Consumer<io.acp.testing.FaultyTransport> n1Faults) throws IOException {
        c.stop(1);
        wipe(c.node(1).dataDir);
        c.node(2).faults().dropTypes(Set.of());
        // a node whose disk is lost starts at an epoch of at least the clock's second (its epoch
        // file is gone): a rebuild takes longer than the second its old life started in
        awaitNextSecond();
        c.restart(1, n1Faults);
    }

    private static List<ObjectEntry> write(InProcessCluster.Node n) {
        List<ObjectEntry> written = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.ALARM, "w" + i);
            n.cdb().putObject(key, null, Json.object().put("i", i), null).await().atMost(WAIT);
            written.add(n.cdb().entry(key).orElseThrow());
        }
        return written;
    }

    private static boolean holdsAll(InProcessCluster.Node n, List<ObjectEntry> written) {
        for (ObjectEntry e : written) {
            Optional<ObjectEntry> held = n.cdb().entry(e.key());
            if (held.isEmpty() || !held.get().version().equals(e.version()) || !held.get().spec().equals(e.spec())) {
                return false;
            }
        }
        return true;
    }

    private static void awaitNextSecond() {
        long second = System.currentTimeMillis() / 1000;
        Eventually.await(WAIT, () -> System.currentTimeMillis() / 1000 > second, "the clock's next second");
    }

    private static void wipe(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
