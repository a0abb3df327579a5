package io.acp.bench;

import io.acp.cluster.history.HistoryRange;
import io.acp.cluster.history.HistorySnapshot;
import io.acp.cluster.history.StatsHistory;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory per series and snapshot cost of the stats history, measured on a full store: 400
 * objects × 10 metrics, every ring filled (an hour at 1 s, a day at 1 min, 30 days at 10 min).
 * Prints the heap the store holds after GC (divided by the series), the rings' own count, and
 * the time and size of one snapshot and of loading it back. Run by {@code scripts/bench-history}.
 */
public final class HistoryMemoryBench {

    private HistoryMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        long before = usedHeap();
        StatsHistory h = new StatsHistory("n1", objects * 10);
        long t0 = 1_798_761_600_000L;
        Map<String, Double> sample = new HashMap<>();
        ObjectKey[] keys = new ObjectKey[objects];
        for (int i = 0; i < objects; i++) {
            keys[i] = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
        }
        // 30 days at 10 min, then a day at 1 min, then an hour at 1 s: every slot of every ring filled.
        fill(h, keys, sample, t0, HistoryRange.MONTH.spanMillis() - HistoryRange.DAY.spanMillis(), HistoryRange.MONTH.stepMillis());
        long dayStart = t0 + HistoryRange.MONTH.spanMillis() - HistoryRange.DAY.spanMillis();
        fill(h, keys, sample, dayStart, HistoryRange.DAY.spanMillis() - HistoryRange.HOUR.spanMillis(), HistoryRange.DAY.stepMillis());
        fill(h, keys, sample, dayStart + HistoryRange.DAY.spanMillis() - HistoryRange.HOUR.spanMillis(), HistoryRange.HOUR.spanMillis(), 1000);
        long after = usedHeap();
        int series = h.seriesCount();
        System.out.printf("series %d, heap held %.1f MiB, %d bytes/series (rings alone: %d bytes/series; floats only: %d)%n",
                series, (after - before) / 1048576.0, (after - before) / series, h.bytes() / series, StatsHistory.BYTES_PER_SERIES);
        Path dir = Files.createTempDirectory("acp-history-bench");
        Path file = dir.resolve("stats.bin");
        long s0 = System.nanoTime();
        long size = HistorySnapshot.save(h, file);
        long s1 = System.nanoTime();
        StatsHistory loaded = new StatsHistory("n1", objects * 10);
        HistorySnapshot.load(file, loaded);
        long s2 = System.nanoTime();
        long now = t0 + HistoryRange.MONTH.spanMillis() - 1000;
        int points = loaded.query(keys[0], List.of("metric0"), HistoryRange.HOUR, now).get(0).size();
        System.out.printf("snapshot of a full store: %.1f MiB written in %d ms, loaded in %d ms (%d points in the first series' hour)%n",
                size / 1048576.0, (s1 - s0) / 1_000_000, (s2 - s1) / 1_000_000, points);
        System.out.println("RESULT history.bytesPerSeries " + (after - before) / series + " bytes");
        System.out.println("RESULT history.snapshot.ms " + (s1 - s0) / 1_000_000 + " ms");
        Files.delete(file);
        Files.delete(dir);
        if (h.seriesCount() != series) {
            throw new IllegalStateException("store changed");
        }
    }

    private static void fill(StatsHistory h, ObjectKey[] keys, Map<String, Double> sample, long from, long span, long step) {
        for (long t = from; t < from + span; t += step) {
            for (int m = 0; m < 10; m++) {
                sample.put("metric" + m, (double) (t / 1000 % 1000 + m));
            }
            for (ObjectKey k : keys) {
                h.add(k, t, sample);
            }
        }
    }

    private static long usedHeap() throws InterruptedException {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return r.totalMemory() - r.freeMemory();
    }
}
