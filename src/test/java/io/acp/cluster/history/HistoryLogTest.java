package io.acp.cluster.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saves write only what changed: a base at start, then log frames of the slots filled since the
 * save before, far smaller than the base; a restart (base + replayed frames) gives back the same
 * history, forgotten objects and metrics first seen after the base included; a frame cut short by
 * a crash loses only itself; a log left from an older base is not replayed onto a newer one.
 */
class HistoryLogTest {

    private static final long T0 = 1_798_761_600_000L;
    private static final ObjectKey VM1 = ObjectKey.of(ObjectType.SYSTEM, "vm1");
    private static final ObjectKey VM2 = ObjectKey.of(ObjectType.SYSTEM, "vm2");

    @TempDir
    Path data;

    /** A store with a day at 1 min and an hour at 1 s of two objects × 10 metrics, ending at {@code end}. */
    private static void fill(StatsHistory h, long from, long to, long step, ObjectKey... keys) {
        for (long t = from; t < to; t += step) {
            for (ObjectKey k : keys) {
                h.add(k, t, sample(t, 10));
            }
        }
    }

    private static Map<String, Double> sample(long t, int metrics) {
        Map<String, Double> m = new java.util.HashMap<>();
        for (int i = 0; i < metrics; i++) {
            m.put("metric" + i, (double) (t / 1000 % 997 + i));
        }
        return m;
    }

    private HistoryKeeper keeper(Cdb cdb) throws Exception {
        HistoryKeeper k = HistoryKeeper.start(cdb, data, 1000, Duration.ofHours(1)); // saves are called by the test
        k.awaitFirstBase(); // after the keeper's own base, written on its thread just after start
        return k;
    }

    @Test
    void framesHoldOnlyWhatChangedAndARestartGivesTheSameHistoryBack() throws Exception {
        long dayEnd = T0 + HistoryRange.DAY.spanMillis();
        List<HistoryPoints> hourBefore;
        List<HistoryPoints> dayBefore;
        long base;
        long frame;
        try (Cdb cdb = Cdb.inMemory("n1")) {
            HistoryKeeper k = keeper(cdb);
            StatsHistory h = k.history();
            fill(h, T0, dayEnd - HistoryRange.HOUR.spanMillis(), 60_000, VM1, VM2);
            fill(h, dayEnd - HistoryRange.HOUR.spanMillis(), dayEnd, 1000, VM1, VM2);
            k.save(); // the start wrote a base of nothing: everything filled since is one frame
            base = HistorySnapshot.save(h, data.resolve("full.bin")); // what a save wrote before: the whole store
            long before = k.bytesWritten();

            fill(h, dayEnd, dayEnd + 60_000, 1000, VM1, VM2); // one more minute
            frame = k.save();
            assertThat(k.bytesWritten() - before).isEqualTo(frame);
            assertThat(frame).as("a minute's frame against a whole store of %d bytes", base).isPositive().isLessThan(base / 20);
            assertThat(k.save()).as("nothing changed: nothing written").isZero();

            h.add(VM1, dayEnd + 60_500, Map.of("newMetric", 7.0)); // a name first seen after the base
            h.forget(VM2);
            k.save();
            hourBefore = h.query(VM1, null, HistoryRange.HOUR, dayEnd + 61_000);
            dayBefore = h.query(VM1, null, HistoryRange.DAY, dayEnd + 61_000);
            k.close();
        }
        assertThat(Files.size(HistoryLog.of(HistoryKeeper.file(data)))).isPositive();

        try (Cdb cdb = Cdb.inMemory("n1")) {
            HistoryKeeper again = keeper(cdb);
            try {
                StatsHistory h = again.history();
                assertThat(h.has(VM2)).as("forgotten in a frame").isFalse();
                assertThat(h.metrics(VM1)).contains("newMetric", "metric0");
                assertThat(h.query(VM1, null, HistoryRange.HOUR, dayEnd + 61_000)).usingRecursiveComparison().isEqualTo(hourBefore);
                assertThat(h.query(VM1, null, HistoryRange.DAY, dayEnd + 61_000)).usingRecursiveComparison().isEqualTo(dayBefore);
                assertThat(hourBefore.stream().filter(p -> p.metric().equals("metric0")).findFirst().orElseThrow().size())
                        .as("the hour at 1 s up to the query: all but its last two seconds (no metric0 in them)").isEqualTo(3598);
            } finally {
                again.close();
            }
        }
    }

    @Test
    void aFrameCutShortLosesOnlyItselfAndAnOlderBasesLogIsNotReplayed() throws Exception {
        Path file = HistoryKeeper.file(data);
        Path log = HistoryLog.of(file);
        try (Cdb cdb = Cdb.inMemory("n1")) {
            HistoryKeeper k = keeper(cdb);
            k.history().add(VM1, T0, sample(T0, 2));
            k.save();
            k.history().add(VM1, T0 + 1000, sample(T0 + 1000, 2));
            k.save();
            k.close(); // the close's save has nothing new
        }
        long whole = Files.size(log);
        byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(log), (int) whole - 3);
        Files.write(log, cut);
        StatsHistory h = new StatsHistory("n1", 100);
        HistorySnapshot.Base b = HistorySnapshot.loadBase(file, h);
        assertThat(HistoryLog.replay(log, h, b.generation(), b.remap())).as("the first frame; the second is cut").isEqualTo(1);
        assertThat(h.query(VM1, List.of("metric0"), HistoryRange.HOUR, T0 + 2000).get(0).size()).isEqualTo(1);

        StatsHistory other = new StatsHistory("n1", 100);
        HistorySnapshot.Base ob = HistorySnapshot.loadBase(file, other);
        assertThat(HistoryLog.replay(log, other, ob.generation() + 1, ob.remap())).as("a log of another base").isZero();
    }

    /**
     * A save lists the metric names first and copies the objects after; a metric first seen between
     * the two is left out of that save. Its object must stay unsaved, so the next frame carries the
     * metric (this lost a node's first stats sample across a restart when the keeper's first base
     * ran beside the first sample).
     */
    @Test
    void aMetricNamedWhileABaseOrFrameIsWrittenIsInTheNextFrame() throws Exception {
        Path file = HistoryKeeper.file(data);
        Path log = HistoryLog.of(file);
        StatsHistory h = new StatsHistory("n1", 100);
        h.add(VM1, T0, Map.of("cpu", 0.25));
        HistorySnapshot.save(h, file, 7, List.of()); // its name list taken before "cpu" was named
        HistoryLog.start(log, 7);
        h.add(VM2, T0, Map.of("cpu", 0.5, "mem", 0.75));
        List<String> cpuOnly = h.names.all().subList(0, 1);
        assertThat(HistoryLog.append(h, log, cpuOnly)).as("a frame whose name list predates \"mem\"").isPositive();
        assertThat(HistoryLog.append(h, log)).as("the frame after it").isPositive();

        StatsHistory reread = new StatsHistory("n1", 100);
        HistorySnapshot.Base base = HistorySnapshot.loadBase(file, reread);
        assertThat(HistoryLog.replay(log, reread, base.generation(), base.remap())).isEqualTo(2);
        assertThat(reread.query(VM1, null, HistoryRange.HOUR, T0))
                .singleElement().satisfies(p -> assertThat(p.values()).containsExactly(0.25f));
        assertThat(reread.query(VM2, List.of("mem"), HistoryRange.HOUR, T0))
                .singleElement().satisfies(p -> assertThat(p.values()).containsExactly(0.75f));
    }
}
