package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.Reassembler;
import io.acp.cluster.sync.wire.SyncCounters;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The inbox's two lanes, with real sealed datagrams: fresh deltas and heartbeats go ahead of the
 * sealed re-sends and anti-entropy that arrived before them, the repair lane keeps its order and is
 * never starved, and nothing is lost or handled twice.
 */
class InboxLanesTest {

    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 7000);
    /** Key ids as a TAGGED_DELTA's first 8 bytes name them, spelled in ASCII so the handled bodies read plainly. */
    private static final long N1_NEW_KEY = java.nio.ByteBuffer.wrap("newkey! ".getBytes(StandardCharsets.US_ASCII)).getLong();

    private final ClusterKeys keys = new ClusterKeys("c1", "correct horse battery staple 42", Optional.empty());
    private final SyncCounters counters = new SyncCounters();
    private final ArrayDeque<Runnable> syncThread = new ArrayDeque<>();
    /** What arrives while the sync thread handles the next message (once). */
    private Runnable whileHandling = () -> { };
    /** How each batch was planned, in order: "now" or the delay in nanoseconds. */
    private final List<String> plans = new ArrayList<>();
    private final List<String> handled = new ArrayList<>();
    private final Inbox inbox = new Inbox(new DatagramOpener(keys, "n2", counters), new Reassembler(1 << 20, 2_000_000_000L, counters),
            counters, new Inbox.SyncThread() {
                @Override
                public void execute(Runnable batch) {
                    plans.add("now");
                    syncThread.add(batch);
                }

                @Override
                public void schedule(Runnable batch, long delayNanos) {
                    plans.add(String.valueOf(delayNanos));
                    syncThread.add(batch);
                }
            }, (m, from) -> {
                handled.add(m.header().type() + " " + new String(m.body(), StandardCharsets.UTF_8));
                Runnable then = whileHandling;
                whileHandling = () -> { };
                then.run();
            }, System::nanoTime,
            java.util.Set.of("n1")::contains, // n1's certificate is known here, n3's is not
            (node, keyId) -> node.equals("n1") && keyId != N1_NEW_KEY); // n1 has a new key, whose certificate is not known here yet
    private final DatagramSealer n1 = new DatagramSealer(keys, "n1", 1, 1400);
    private final DatagramSealer n3 = new DatagramSealer(keys, "n3", 1, 1400);

    private void receive(MessageType type, String body) {
        receive(n1, type, body);
    }

    private void receive(DatagramSealer from, MessageType type, String body) {
        byte[] d = from.seal(type, body.getBytes(StandardCharsets.UTF_8))[0];
        inbox.onDatagram(d, d.length, FROM);
    }

    private void runSyncThread() {
        while (!syncThread.isEmpty()) {
            syncThread.poll().run();
        }
    }

    @Test
    void theHandOverIsBoundedInBytesNotOnlyInMessages() {
        byte[] large = new byte[300_000]; // a reassembled message of 223 datagrams
        int sent = 250;
        for (int i = 0; i < sent; i++) {
            for (byte[] d : n1.seal(MessageType.ENTRIES, large)) {
                inbox.onDatagram(d, d.length, FROM);
            }
        }
        int kept = (int) (Inbox.MAX_PENDING_BYTES / large.length);
        assertThat(inbox.backlog()).as("messages waiting for the sync thread").isEqualTo(kept);
        assertThat(counters.droppedCount(DropReason.OVERLOAD)).isEqualTo(sent - kept);
        runSyncThread();
        assertThat(handled).hasSize(kept);
        assertThat(inbox.backlog()).isZero();
        for (byte[] d : n1.seal(MessageType.ENTRIES, large)) {
            inbox.onDatagram(d, d.length, FROM);
        }
        assertThat(inbox.backlog()).as("room again once handled").isEqualTo(1);
    }

    @Test
    void onlyAFreshWriteWakesTheSyncThreadAtOnceTheRestShareOneWakeUpPlannedALittleLater() {
        receive(MessageType.HEARTBEAT, "alive");
        receive(MessageType.SEAL_TAGS, "tags of batch 1");
        receive(MessageType.DELTA, "batch 1");
        assertThat(plans).as("one batch for the three, planned to linger").containsExactly(String.valueOf(Inbox.LINGER_NANOS));

        receive(MessageType.TAGGED_DELTA, "write 1");
        assertThat(plans).as("a write plans a batch now, ahead of the lingering one").containsExactly(String.valueOf(Inbox.LINGER_NANOS), "now");
        receive(MessageType.DELTA, "batch 2");
        assertThat(plans).hasSize(2);

        syncThread.poll().run(); // the first batch planned takes everything waiting
        assertThat(handled).containsExactly("HEARTBEAT alive", "TAGGED_DELTA write 1", "SEAL_TAGS tags of batch 1", "DELTA batch 1", "DELTA batch 2");
        syncThread.poll().run(); // the other finds nothing, and plans nothing
        assertThat(handled).hasSize(5);
        assertThat(syncThread).isEmpty();
        assertThat(inbox.backlog()).isZero();

        receive(MessageType.DELTA, "batch 3");
        receive(MessageType.TAGGED_DELTA, "write 2");
        assertThat(plans.subList(2, plans.size())).as("the inbox was idle again: a new lingering batch, then one now")
                .containsExactly(String.valueOf(Inbox.LINGER_NANOS), "now");
        runSyncThread();
        assertThat(handled.subList(5, handled.size())).containsExactly("TAGGED_DELTA write 2", "DELTA batch 3");
    }

    @Test
    void aWriteThatArrivesWhileABatchIsHandledOrABacklogOfMoreThanABatchIsHandledWithoutTheLinger() {
        receive(MessageType.DELTA, "batch 1");
        whileHandling = () -> receive(MessageType.TAGGED_DELTA, "write 1");
        syncThread.poll().run();
        assertThat(plans).as("the write planned a batch now over the lingering one").containsExactly(String.valueOf(Inbox.LINGER_NANOS), "now");
        assertThat(handled).as("the running batch took it, as it came before its last look").containsExactly("DELTA batch 1", "TAGGED_DELTA write 1");
        runSyncThread();

        for (int i = 0; i <= Inbox.BATCH; i++) {
            receive(MessageType.DELTA, "sealed " + i);
        }
        syncThread.poll().run();
        assertThat(handled).hasSize(2 + Inbox.BATCH);
        assertThat(plans.subList(2, plans.size())).as("a full batch means the sync thread is behind: the next one is planned now")
                .containsExactly(String.valueOf(Inbox.LINGER_NANOS), "now");
        runSyncThread();
        assertThat(handled).hasSize(3 + Inbox.BATCH).doesNotHaveDuplicates();
        assertThat(inbox.backlog()).isZero();
    }

    @Test
    void aTaggedDeltaAndAHeartbeatOvertakeASealedReSendAndAnAntiEntropyAnswerThatCameFirst() {
        receive(MessageType.SEAL_TAGS, "tags of batch 1");
        receive(MessageType.DELTA, "batch 1");
        receive(MessageType.ENTRIES, "answer");
        receive(MessageType.TAGGED_DELTA, "write 1");
        receive(MessageType.HEARTBEAT, "alive");
        receive(MessageType.PULL, "pull");
        assertThat(inbox.backlog()).isEqualTo(6);

        runSyncThread();

        assertThat(handled).containsExactly("TAGGED_DELTA write 1", "HEARTBEAT alive",
                "SEAL_TAGS tags of batch 1", "DELTA batch 1", "ENTRIES answer", "PULL pull");
        assertThat(inbox.backlog()).isZero();
    }

    @Test
    void underAStreamOfFreshMessagesTheRepairLaneStillGetsItsShareOfEveryBatch() {
        for (int i = 0; i < 20; i++) {
            receive(MessageType.DELTA, "sealed " + i);
        }
        for (int i = 0; i < 3 * Inbox.BATCH; i++) {
            receive(MessageType.TAGGED_DELTA, "write " + i);
        }

        syncThread.poll().run(); // one batch only

        assertThat(handled).hasSize(Inbox.BATCH);
        List<String> sealed = handled.stream().filter(h -> h.startsWith("DELTA")).toList();
        assertThat(sealed).as("the repair lane's share of a batch, in its order of arrival")
                .hasSizeGreaterThanOrEqualTo(Inbox.REPAIR_SHARE).startsWith("DELTA sealed 0", "DELTA sealed 1");
        assertThat(handled.get(0)).as("fresh first").isEqualTo("TAGGED_DELTA write 0");

        runSyncThread();
        assertThat(handled).as("everything handled once").hasSize(20 + 3 * Inbox.BATCH).doesNotHaveDuplicates();
        assertThat(handled.stream().filter(h -> h.startsWith("DELTA")).toList()).as("the repair lane in order")
                .isEqualTo(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "DELTA sealed " + i).toList());
        assertThat(inbox.backlog()).isZero();
    }

    @Test
    void aRepairBacklogLargerThanTheFreshOneGetsMostOfABatch() {
        for (int i = 0; i < 300; i++) {
            receive(MessageType.ENTRIES, "answer " + i);
        }
        for (int i = 0; i < 100; i++) {
            receive(MessageType.TAGGED_DELTA, "write " + i);
        }

        syncThread.poll().run();

        long repairs = handled.stream().filter(h -> h.startsWith("ENTRIES")).count();
        assertThat(repairs).as("three quarters of what waits is repair: about that share of the batch").isBetween(44L, 52L);
        assertThat(handled).hasSize(Inbox.BATCH);
    }

    @Test
    void aSenderWhoseCertificateIsNotKnownYetIsHandledInArrivalOrderSoItsCertificateComesBeforeItsTaggedDeltas() {
        receive(MessageType.DELTA, "n1's sealed re-send");
        receive(n3, MessageType.SEAL_TAGS, "n3's tags");
        receive(n3, MessageType.DELTA, "n3's certificate");
        receive(n3, MessageType.TAGGED_DELTA, "n3's first write");
        receive(MessageType.TAGGED_DELTA, "n1's write");

        runSyncThread();

        assertThat(handled).containsExactly("SEAL_TAGS n3's tags", "DELTA n3's certificate", "TAGGED_DELTA n3's first write",
                "TAGGED_DELTA n1's write", "DELTA n1's sealed re-send");
    }

    @Test
    void aTaggedDeltaOrHeartbeatUnderAMembersNewKeyWaitsBehindTheSealedDeltaThatMayCarryThatKeysCertificate() {
        receive(MessageType.SEAL_TAGS, "n1's tags");
        receive(MessageType.DELTA, "n1's new certificate");
        receive(MessageType.TAGGED_DELTA, "newkey! write under the new key");
        receive(MessageType.HEARTBEAT, "digest 12 b newkey! alive under the new key"); // the key id follows 12 bytes of digest
        receive(MessageType.TAGGED_DELTA, "oldkey! write under the old key");

        runSyncThread();

        assertThat(handled).containsExactly("TAGGED_DELTA oldkey! write under the old key", "SEAL_TAGS n1's tags",
                "DELTA n1's new certificate", "TAGGED_DELTA newkey! write under the new key",
                "HEARTBEAT digest 12 b newkey! alive under the new key");
    }

    @Test
    void theLanesAreTheDocumentedTypes() {
        assertThat(java.util.Arrays.stream(MessageType.values()).filter(Inbox::isRepair))
                .containsExactlyInAnyOrder(MessageType.DELTA, MessageType.SEAL_TAGS, MessageType.PULL, MessageType.ENTRIES,
                        MessageType.RETURNED);
    }
}
