package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bundler's decisions, on explicit times (no clock, no threads): when to send, what, in which order. */
class DeltaBundlerTest {

    private static final long MS = 1_000_000L;
    private static final long SPACING = 5 * MS;
    private static final long LINGER = 20 * MS;
    private static final int BUNDLE = 1_300;
    private static final int BUSY = 16;
    private static final long T = 1_000 * MS;

    private static DeltaBundler bundler(int maxPending) {
        return new DeltaBundler(new DeltaBundler.Limits(SPACING, LINGER, BUNDLE, maxPending, BUSY));
    }

    private static StatsEntry sample(String id, long millis) {
        return new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, id), "n1", Map.of("cpu", 0.5, "t0", (double) millis),
                new Version(HybridClock.fromMillis(millis), "n1"));
    }

    @Test
    void anIdleNodeSendsAWriteAtOnce() {
        DeltaBundler b = bundler(100);
        assertThat(b.sendAt(T, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(b.add(sample("vm1", 1), T)).isEqualTo(DeltaBundler.Added.FIRST);
        assertThat(b.due(T, 0)).isTrue();
        assertThat(b.drain(T)).containsExactly(sample("vm1", 1));

        // quiet for longer than the spacing: the next write goes out at once too
        b.add(sample("vm2", 2), T + 50 * MS);
        assertThat(b.due(T + 50 * MS, 0)).isTrue();
    }

    @Test
    void taggedFlushesAreNotSpacedSoWritesMadeWhileTheThreadWasBusyGoOutAtOnce() {
        DeltaBundler b = bundler(100);
        b.signedFlushes(false);
        b.add(sample("vm1", 1), T);
        b.drain(T);
        b.add(sample("vm2", 2), T + 10_000);
        b.add(sample("vm3", 3), T + 20_000);
        assertThat(b.due(T + 20_000, 0)).isTrue();
        assertThat(b.drain(T + 20_000)).containsExactly(sample("vm2", 2), sample("vm3", 3));
    }

    @Test
    void aFewReceivedMessagesWaitingIsNotBackedUp() {
        DeltaBundler b = bundler(100);
        b.signedFlushes(false);
        b.add(sample("vm1", 1), T);
        assertThat(b.due(T, BUSY - 1)).isTrue();
        assertThat(b.due(T, BUSY)).isFalse();
        assertThat(b.sendAt(T, BUSY)).isEqualTo(T + LINGER);
    }

    @Test
    void signedFlushesThatComeFasterThanTheIntervalAreSpaced() {
        DeltaBundler b = bundler(100);
        b.signedFlushes(true);
        b.add(sample("vm1", 1), T);
        b.drain(T);
        b.add(sample("vm2", 2), T + MS);
        assertThat(b.sendAt(T + MS, 0)).isEqualTo(T + SPACING);
        assertThat(b.due(T + MS, 0)).isFalse();
        assertThat(b.due(T + SPACING, 0)).isTrue();
    }

    @Test
    void aBackedUpNodeWaitsForAFullBundleButNoLongerThanTheLinger() {
        DeltaBundler b = bundler(1_000);
        int backlog = BUSY + 4;
        b.add(sample("vm0", 0), T);
        assertThat(b.sendAt(T, backlog)).isEqualTo(T + LINGER);
        assertThat(b.due(T + LINGER - 1, backlog)).isFalse();
        assertThat(b.due(T + LINGER, backlog)).isTrue(); // the oldest entry's wait is bounded

        int bytes = DeltaBundler.estimatedBytes(sample("vm0", 0));
        DeltaBundler.Added last = null;
        int added = 1;
        while (last != DeltaBundler.Added.FULL) {
            last = b.add(sample("vm" + added, added), T + MS);
            added++;
        }
        // it took exactly as many entries as fill one bundle, and then it is due before the linger ends
        assertThat(added).isEqualTo((BUNDLE + bytes - 1) / bytes);
        assertThat(b.due(T + MS, backlog)).isTrue();
        assertThat(b.drain(T + MS)).hasSize(added);
        assertThat(b.bundles()).isEqualTo(1);

        // a full bundle right after a flush still keeps the spacing: flushes per second stay bounded
        for (int i = 0; last != DeltaBundler.Added.FULL || i == 0; i++) {
            last = b.add(sample("vm" + i, 100 + i), T + 2 * MS);
        }
        assertThat(b.sendAt(T + 2 * MS, backlog)).isEqualTo(T + MS + SPACING);
    }

    @Test
    void theSizeEstimateOfStatsIsTheirEncodedSizeSoAFullBundleFitsOneBody() {
        for (StatsEntry s : new StatsEntry[] {sample("vm1", 1), sample("a-much-longer-system-name-42", 123_456)}) {
            assertThat(DeltaBundler.estimatedBytes(s)).isEqualTo(EntryCodec.encode(s).length);
        }
    }

    @Test
    void theQueueIsBoundedInSlotsAndCountsWhatItRefuses() {
        DeltaBundler b = bundler(3);
        for (int i = 0; i < 3; i++) {
            assertThat(b.add(sample("vm" + i, i), T)).isNotEqualTo(DeltaBundler.Added.OVERFLOW);
        }
        assertThat(b.add(sample("vm9", 9), T)).isEqualTo(DeltaBundler.Added.OVERFLOW);
        assertThat(b.overflowed()).isEqualTo(1);
        // a newer write to a slot already waiting replaces it: no growth, so it is never refused
        for (int i = 10; i < 1_000; i++) {
            assertThat(b.add(sample("vm1", i), T)).isNotEqualTo(DeltaBundler.Added.OVERFLOW);
        }
        assertThat(b.pendingCount()).isEqualTo(3);
        assertThat(b.drain(T)).containsExactly(sample("vm0", 0), sample("vm2", 2), sample("vm1", 999));
        // drained: room again
        assertThat(b.add(sample("vm9", 10), T)).isEqualTo(DeltaBundler.Added.FIRST);
    }

    @Test
    void entriesLeaveInTheOrderOfTheirLatestWriteAndEachSlotOnce() {
        DeltaBundler b = bundler(100);
        b.add(sample("a", 1), T);
        b.add(sample("b", 2), T);
        b.add(sample("c", 3), T);
        b.add(sample("a", 4), T);
        assertThat(b.drain(T)).containsExactly(sample("b", 2), sample("c", 3), sample("a", 4));

        // versions of one slot never go back across bundles either
        b.add(sample("a", 5), T);
        b.add(sample("b", 6), T);
        assertThat(b.drain(T)).extracting(Entry::version)
                .containsExactly(new Version(HybridClock.fromMillis(5), "n1"), new Version(HybridClock.fromMillis(6), "n1"));
    }
}
