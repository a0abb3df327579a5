package io.acp.cluster.history;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes the stats history writes to disk per minute, before (the whole store every minute) and
 * after (a log frame of what changed, plus a new base whenever the log has grown as big as the
 * base, spread over the minutes in between). The store is full (30 days at 10 min, a day at 1 min,
 * an hour at 1 s) for {@code objects} × 10 metrics, then 10 more minutes of 1 s samples are saved
 * one minute at a time; values are random percentages to two decimals. Run by {@code scripts/bench-history}; prints RESULT lines.
 */
public final class HistoryWriteBench {

    private HistoryWriteBench() {
    }

    public static void main(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        StatsHistory h = new StatsHistory("n1", objects * 10);
        ObjectKey[] keys = new ObjectKey[objects];
        for (int i = 0; i < objects; i++) {
            keys[i] = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
        }
        long t0 = 1_798_761_600_000L;
        long dayStart = t0 + HistoryRange.MONTH.spanMillis() - HistoryRange.DAY.spanMillis();
        long hourStart = dayStart + HistoryRange.DAY.spanMillis() - HistoryRange.HOUR.spanMillis();
        long end = hourStart + HistoryRange.HOUR.spanMillis();
        fill(h, keys, t0, dayStart, HistoryRange.MONTH.stepMillis());
        fill(h, keys, dayStart, hourStart, HistoryRange.DAY.stepMillis());
        fill(h, keys, hourStart, end, 1000);

        Path dir = Files.createTempDirectory("acp-history-write-bench");
        Path base = dir.resolve("stats.bin");
        Path log = HistoryLog.of(base);
        long baseBytes = HistorySnapshot.save(h, base, 1);
        HistoryLog.start(log, 1);
        int minutes = 10;
        long frames = 0;
        for (int i = 0; i < minutes; i++) {
            fill(h, keys, end + i * 60_000L, end + (i + 1) * 60_000L, 1000);
            frames += HistoryLog.append(h, log);
        }
        long frame = frames / minutes;
        // A new base once the log is as big as the base (at least HistoryKeeper.MIN_COMPACT_BYTES): its cost spread over those minutes.
        long minutesPerBase = Math.max(1, Math.max(baseBytes, HistoryKeeper.MIN_COMPACT_BYTES) / Math.max(1, frame));
        long after = frame + baseBytes / minutesPerBase;
        System.out.printf("%d series, full store: before %,d bytes/min (the whole store each minute); after %,d bytes/min"
                + " (frames of %,d bytes + a %,d-byte base every %d min); %.0f× less%n",
                h.seriesCount(), baseBytes, after, frame, baseBytes, minutesPerBase, (double) baseBytes / after);
        System.out.println("RESULT history.write.before " + baseBytes + " bytes/min");
        System.out.println("RESULT history.write.after " + after + " bytes/min");
        Files.delete(log);
        Files.delete(base);
        Files.delete(dir);
    }

    /** Values like a node's figures (a percentage to two decimals, a random walk per object), so deflate is not flattered by a pattern. */
    private static void fill(StatsHistory h, ObjectKey[] keys, long from, long to, long step) {
        Map<String, Double> sample = new HashMap<>();
        for (long t = from; t < to; t += step) {
            for (ObjectKey k : keys) {
                for (int m = 0; m < 10; m++) {
                    sample.put("metric" + m, Math.round(RANDOM.nextDouble() * 10_000) / 100.0);
                }
                h.add(k, t, sample);
            }
        }
    }

    private static final java.util.Random RANDOM = new java.util.Random(17);
}
