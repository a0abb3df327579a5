package io.acp.cluster.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sealing and opening datagrams: what is accepted, and every reason a datagram is dropped and counted. */
class DatagramSecurityTest {

    private static final String SECRET = "correct horse battery staple 42";
    private final ClusterKeys keys = new ClusterKeys("c1", SECRET, Optional.empty());
    private final SyncCounters counters = new SyncCounters();
    private final DatagramOpener receiver = new DatagramOpener(keys, "n2", counters);

    private static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSealedDatagramOpensToItsHeaderAndBody() {
        byte[][] d = new DatagramSealer(keys, "n1", 7, 1400).seal(MessageType.DELTA, body("hello"));
        assertThat(d).hasNumberOfRows(1);
        Opened o = receiver.open(d[0]);
        assertThat(o).isNotNull();
        assertThat(o.header().sender()).isEqualTo("n1");
        assertThat(o.header().epoch()).isEqualTo(7);
        assertThat(o.header().sequence()).isEqualTo(1);
        assertThat(o.header().type()).isEqualTo(MessageType.DELTA);
        assertThat(new String(o.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(new String(d[0], StandardCharsets.ISO_8859_1)).doesNotContain("hello");
        assertThat(counters.droppedTotal()).isZero();
    }

    @Test
    void everyFlippedBitIsCaughtAsForgedOrStructurallyBad() {
        byte[] good = new DatagramSealer(keys, "n1", 1, 1400).seal(MessageType.DELTA, body("x".repeat(40)))[0];
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = Arrays.copyOf(good, good.length);
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(new DatagramOpener(keys, "n2", counters).open(bad)).as("bit %d flipped", bit).isNull();
        }
        assertThat(counters.acceptedCount()).isZero();
        assertThat(counters.droppedCount(DropReason.FORGED)).isGreaterThan(good.length * 6L);
        assertThat(counters.droppedCount(DropReason.BAD_MAGIC)).isEqualTo(16);
        assertThat(counters.droppedCount(DropReason.BAD_VERSION)).isEqualTo(8);
        assertThat(counters.droppedCount(DropReason.FOREIGN_CLUSTER)).isEqualTo(64);
    }

    @Test
    void randomBytesAndShortDatagramsAreDropped() {
        Random r = new Random(1);
        for (int len : new int[] {0, 1, 10, 53, 54, 200, 1400, 65_507}) {
            byte[] junk = new byte[len];
            r.nextBytes(junk);
            assertThat(receiver.open(junk)).isNull();
        }
        assertThat(counters.droppedCount(DropReason.TOO_SHORT)).isEqualTo(4);
        assertThat(counters.acceptedCount()).isZero();
    }

    @Test
    void replaysAreDroppedButReorderingIsNot() {
        DatagramSealer n1 = new DatagramSealer(keys, "n1", 3, 1400);
        byte[] first = n1.seal(MessageType.DELTA, body("a"))[0];
        byte[] second = n1.seal(MessageType.DELTA, body("b"))[0];
        assertThat(receiver.open(second)).isNotNull();
        assertThat(receiver.open(first)).as("older but new to us: reordered, not replayed").isNotNull();
        assertThat(receiver.open(first)).isNull();
        assertThat(receiver.open(second)).isNull();
        assertThat(counters.droppedCount(DropReason.REPLAYED)).isEqualTo(2);
    }

    @Test
    void anOlderEpochOfASenderIsStale() {
        byte[] old = new DatagramSealer(keys, "n1", 4, 1400).seal(MessageType.DELTA, body("old"))[0];
        byte[] restarted = new DatagramSealer(keys, "n1", 5, 1400).seal(MessageType.DELTA, body("new"))[0];
        assertThat(receiver.open(restarted)).isNotNull();
        assertThat(receiver.open(old)).isNull();
        assertThat(counters.droppedCount(DropReason.STALE_EPOCH)).isEqualTo(1);
    }

    /**
     * A heartbeat the window refuses is counted as dropped like any datagram, but goes on marked
     * {@code pastWindow}: its hash chain, checked on the sync thread, decides whether it is fresh
     * (the window may have been pushed by a holder of the secret). Nothing else goes on, and
     * the window does not move for it.
     */
    @Test
    void aHeartbeatTheWindowRefusesGoesOnOnlyMarkedForItsChainCheck() {
        DatagramSealer n1 = new DatagramSealer(keys, "n1", 4, 1400);
        byte[] heartbeat = n1.seal(MessageType.HEARTBEAT, body("beat"))[0];
        byte[] delta = n1.seal(MessageType.DELTA, body("delta"))[0];
        assertThat(receiver.open(new DatagramSealer(keys, "n1", 5, 1400).seal(MessageType.DELTA, body("pushed"))[0])).isNotNull();

        Opened refused = receiver.open(heartbeat);
        assertThat(refused).isNotNull();
        assertThat(refused.pastWindow()).isTrue();
        assertThat(receiver.open(delta)).isNull();
        assertThat(counters.droppedCount(DropReason.STALE_EPOCH)).isEqualTo(2);
        assertThat(receiver.open(heartbeat).pastWindow()).as("the window did not take the heartbeat in").isTrue();
        assertThat(counters.acceptedCount()).isEqualTo(1);
    }

    @Test
    void anEpochFarAheadOfTheReceiversClockIsDroppedAndMovesNothing() {
        long now = System.currentTimeMillis() / 1000;
        DatagramSealer n1 = new DatagramSealer(keys, "n1", now, 1400);
        byte[] current = n1.seal(MessageType.HEARTBEAT, body("now"))[0];
        byte[] ahead = new DatagramSealer(keys, "n1", now + DatagramOpener.MAX_EPOCH_AHEAD_SECONDS + 60, 1400).seal(MessageType.HEARTBEAT, body("ahead"))[0];
        byte[] slightlyAhead = new DatagramSealer(keys, "n1", now + 30, 1400).seal(MessageType.HEARTBEAT, body("skewed"))[0];
        byte[] next = n1.seal(MessageType.HEARTBEAT, body("next"))[0];
        assertThat(receiver.open(current)).isNotNull();
        assertThat(receiver.open(ahead)).isNull();
        assertThat(counters.droppedCount(DropReason.FUTURE_EPOCH)).isEqualTo(1);
        assertThat(receiver.open(next)).as("the sender's epoch was not moved").isNotNull();
        assertThat(receiver.open(slightlyAhead)).as("a clock a little ahead is a real sender's").isNotNull();
    }

    @Test
    void namesMadeUpByAHolderOfTheSecretKeepBoundedState() {
        ReplayGuard replay = new ReplayGuard();
        DatagramOpener opener = new DatagramOpener(keys, "n2", counters, replay, System::currentTimeMillis);
        int names = ReplayGuard.MAX_SENDERS + 500;
        ClusterKeys holders = new ClusterKeys("c1", SECRET, Optional.empty()); // the senders' own, as each process has
        for (int i = 0; i < names; i++) {
            assertThat(opener.open(new DatagramSealer(holders, "made-up-" + i, 1, 1400).seal(MessageType.DELTA, body("x"))[0])).isNotNull();
        }
        assertThat(replay.marks()).hasSize(ReplayGuard.MAX_SENDERS);
        assertThat(opener.sendersWithCiphers()).isEqualTo(DatagramOpener.MAX_SENDER_CIPHERS);
        assertThat(keys.confirmedKeys()).isEqualTo(ClusterKeys.MAX_CONFIRMED_KEYS);
        // a sender heard all along keeps its window: a replay of it is still caught
        DatagramSealer member = new DatagramSealer(holders, "member", 1, 1400);
        byte[] d = member.seal(MessageType.DELTA, body("m"))[0];
        assertThat(opener.open(d)).isNotNull();
        for (int i = 0; i < 100; i++) {
            opener.open(new DatagramSealer(holders, "later-" + i, 1, 1400).seal(MessageType.DELTA, body("x"))[0]);
            opener.open(member.seal(MessageType.DELTA, body("m" + i))[0]);
        }
        assertThat(opener.open(d)).isNull();
        assertThat(counters.droppedCount(DropReason.REPLAYED)).isEqualTo(1);
    }

    @Test
    void aPushedWindowSetBackToAProvenDatagramTakesWhatFollowsItAndNothingBefore() {
        ReplayGuard replay = new ReplayGuard();
        assertThat(replay.check("n2", 10, 1)).isNull();
        assertThat(replay.check("n2", 10, 2)).isNull();
        assertThat(replay.check("n2", 10, 9_000_000)).as("a holder of the secret pushes n2's sequence").isNull();
        assertThat(replay.check("n2", 10, 3)).isEqualTo(DropReason.REPLAYED);
        assertThat(replay.pullBack("n2", 10, 3)).as("n2's heartbeat at 3, proven by its chain").isTrue();
        assertThat(replay.check("n2", 10, 2)).as("taken before: still a replay").isEqualTo(DropReason.REPLAYED);
        assertThat(replay.check("n2", 10, 3)).isEqualTo(DropReason.REPLAYED);
        assertThat(replay.check("n2", 10, 4)).isNull();
        assertThat(replay.marks()).containsEntry("n2", new ReplayGuard.Mark(10, 4));

        assertThat(replay.check("n2", 99, 1)).as("an epoch pushed ahead").isNull();
        assertThat(replay.check("n2", 10, 5)).isEqualTo(DropReason.STALE_EPOCH);
        assertThat(replay.pullBack("n2", 10, 5)).isTrue();
        assertThat(replay.check("n2", 10, 6)).isNull();
        assertThat(replay.check("n2", 9, 7)).as("older epochs stay stale").isEqualTo(DropReason.STALE_EPOCH);

        assertThat(replay.pullBack("n2", 10, 6)).as("never forward, nor to where it is").isFalse();
        assertThat(replay.pullBack("n2", 11, 1)).isFalse();
        assertThat(replay.pullBack("n3", 1, 1)).as("no window").isFalse();
        assertThat(replay.marks()).containsEntry("n2", new ReplayGuard.Mark(10, 6)).doesNotContainKey("n3");
    }

    @Test
    void anotherSecretIsForgedAnotherClusterIsForeign() {
        ClusterKeys otherSecret = new ClusterKeys("c1", "another secret, 32 characters!!", Optional.empty());
        ClusterKeys otherCluster = new ClusterKeys("c2", SECRET, Optional.empty());
        assertThat(receiver.open(new DatagramSealer(otherSecret, "n1", 1, 1400).seal(MessageType.DELTA, body("x"))[0])).isNull();
        assertThat(receiver.open(new DatagramSealer(otherCluster, "n1", 1, 1400).seal(MessageType.DELTA, body("x"))[0])).isNull();
        assertThat(counters.droppedCount(DropReason.FORGED)).isEqualTo(1);
        assertThat(counters.droppedCount(DropReason.FOREIGN_CLUSTER)).isEqualTo(1);
    }

    @Test
    void thePreviousSecretIsStillAcceptedDuringRotation() {
        String next = "the next secret, rotated in now";
        ClusterKeys rotated = new ClusterKeys("c1", next, Optional.of(SECRET));
        DatagramOpener opener = new DatagramOpener(rotated, "n2", counters);
        assertThat(opener.open(new DatagramSealer(keys, "n1", 1, 1400).seal(MessageType.DELTA, body("old key"))[0])).isNotNull();
        assertThat(opener.open(new DatagramSealer(rotated, "n3", 1, 1400).seal(MessageType.DELTA, body("new key"))[0])).isNotNull();
        assertThat(receiver.open(new DatagramSealer(rotated, "n1", 2, 1400).seal(MessageType.DELTA, body("new key"))[0])).isNull();
    }

    @Test
    void largeBodiesAreFragmentedAndReassembledInAnyOrder() {
        byte[] big = new byte[10_000];
        new Random(2).nextBytes(big);
        byte[][] parts = new DatagramSealer(keys, "n1", 1, 1400).seal(MessageType.ENTRIES, big);
        assertThat(parts.length).isEqualTo(8);
        assertThat(Arrays.stream(parts).mapToInt(p -> p.length).max().orElseThrow()).isLessThanOrEqualTo(1400);
        Reassembler r = new Reassembler(1 << 20, 1_000_000_000L, counters);
        Reassembler.Message done = null;
        for (int i = parts.length - 1; i >= 0; i--) {
            Reassembler.Message m = r.add(receiver.open(parts[i]), 0);
            if (m != null) {
                done = m;
            }
        }
        assertThat(done).isNotNull();
        assertThat(done.body()).isEqualTo(big);
        assertThat(r.bufferedBytes()).isZero();
    }

    @Test
    void reassemblyIsBoundedInBytesAndTime() {
        DatagramSealer n1 = new DatagramSealer(keys, "n1", 1, 1400);
        Reassembler r = new Reassembler(5_000, 1_000L, counters);
        for (int m = 0; m < 10; m++) {
            byte[][] parts = n1.seal(MessageType.ENTRIES, new byte[4_000]);
            assertThat(r.add(receiver.open(parts[0]), 0)).isNull();
            assertThat(r.bufferedBytes()).isLessThanOrEqualTo(5_000);
        }
        r.expire(10_000L);
        assertThat(r.pendingMessages()).isZero();
        assertThat(counters.droppedCount(DropReason.INCOMPLETE)).isEqualTo(10);
    }

    @Test
    void fragmentsWithEmptyBodiesCountAgainstTheBound() {
        Reassembler r = new Reassembler(1 << 20, 2_000_000_000L, counters);
        for (int id = 0; id < 100_000; id++) {
            DatagramHeader h = new DatagramHeader(MessageType.ENTRIES, 1, keys.clusterId(), "made-up", 1, id + 1, id, 0, Reassembler.MAX_FRAGMENTS);
            assertThat(r.add(new Opened(h, new byte[0]), 0)).isNull();
        }
        assertThat(r.bufferedBytes()).isLessThanOrEqualTo(1 << 20);
        assertThat(r.pendingMessages()).as("unfinished messages held").isLessThan((1 << 20) / (8 * Reassembler.MAX_FRAGMENTS));
        assertThat(counters.droppedCount(DropReason.INCOMPLETE)).isGreaterThan(99_000);
    }

    @Test
    void aDatagramIsSentByTheNodeItsSenderFieldNamesAndByNoOther() {
        byte[] d = new DatagramSealer(keys, "n1", 7, 1400).seal(MessageType.DELTA, body("hello"))[0];
        assertThat(DatagramHeader.sentBy(d, d.length, body("n1"))).isTrue();
        assertThat(DatagramHeader.sentBy(d, d.length, body("n2"))).as("another node of the same length").isFalse();
        assertThat(DatagramHeader.sentBy(d, d.length, body("n"))).as("a prefix of the sender").isFalse();
        assertThat(DatagramHeader.sentBy(d, d.length, body("n10"))).as("a longer name starting with it").isFalse();
        assertThat(DatagramHeader.sentBy(d, DatagramHeader.FIXED_LENGTH + 1, body("n1"))).as("cut inside the sender field").isFalse();
    }
}
