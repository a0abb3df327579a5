package io.acp.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.StatsValues;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * CDB local write → subscriber on another thread sees it. One thread writes stats samples at a
 * fixed rate over 10,000 keys, in 1 ms bursts; the change stream is handed to a consumer thread with Mutiny's
 * {@code emitOn} (as a watch or WebSocket handler consumes it) and the consumer records, per
 * update, the time from the start of {@code putStats} to its {@code onNext}. Prints p50/p99/p99.9
 * and max. Not JMH: JMH times a method on one thread, this needs the time across two.
 *
 * <p>The writer hands each sample as {@link StatsValues}, the CDB's own compact form, which it keeps
 * as given: what the sync's decoders hand it for every sample from a peer, the source of nearly all
 * of a node's stats writes. A writer that hands a {@code Map.of(…)} instead makes the CDB copy it,
 * about twice the garbage per update. Run it with the node's collector ({@code -XX:+UseSerialGC},
 * as {@code packaging/acp} does): under G1 the write barrier's refinement thread takes a share of
 * the two cores the writer and the consumer need.
 *
 * <p>Usage: {@code CdbLatencyBench [rate/s,...] [warmup s] [measure s] [keys]}; see scripts/bench-cdb.
 */
public final class CdbLatencyBench {

    private static final String[] NAMES = {"t", "cpu"};

    private CdbLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        String[] rates = (args.length > 0 ? args[0] : "100000,500000").split(",");
        int warmupSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int measureSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int keys = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        System.out.printf("latency write -> subscriber on another thread: %d keys, warmup %d s, measure %d s%n", keys, warmupSeconds, measureSeconds);
        System.out.printf("%10s %10s %10s %9s %9s %9s %9s %9s%n", "rate/s", "written", "seen", "p50 us", "p99 us", "p99.9 us", "max us", "coalesced");
        for (String rate : rates) {
            run(Integer.parseInt(rate.trim()), warmupSeconds, measureSeconds, keys);
        }
    }

    private static void run(int rate, int warmupSeconds, int measureSeconds, int keys) throws Exception {
        Cdb cdb = Cdb.inMemory("n1");
        ObjectKey[] ids = new ObjectKey[keys];
        for (int i = 0; i < keys; i++) {
            ids[i] = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
        }
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(measureSeconds);
        ExecutorService consumer = Executors.newSingleThreadExecutor(r -> new Thread(r, "consumer"));
        Recorder recorder = new Recorder(rate * measureSeconds + 1, measureFrom, end);
        cdb.changes(ChangeFilter.ALL)
                .emitOn(consumer)
                .subscribe().with(recorder::onNext);

        // Writes come in 1 ms bursts (what is due by now), then the writer parks: it leaves the
        // cores to the consumer instead of spinning, as a real collector does between samples.
        long written = 0;
        long measuredWrites = 0;
        long due = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long shouldHave = (now - start) / periodNanos + 1;
            while (due < shouldHave) {
                due++;
                long t0 = System.nanoTime();
                cdb.putStats(ids[(int) (written++ % keys)], StatsValues.of(NAMES, new double[] {t0, 0.25}));
                if (t0 >= measureFrom) {
                    measuredWrites++;
                }
            }
            LockSupport.parkNanos(1_000_000L - (System.nanoTime() - start) % 1_000_000L);
        }
        Thread.sleep(200);
        cdb.close();
        consumer.shutdown();
        consumer.awaitTermination(5, TimeUnit.SECONDS);

        long[] lat = recorder.sorted();
        System.out.printf("%10d %10d %10d %9.1f %9.1f %9.1f %9.1f %9d%n", rate, measuredWrites, lat.length,
                pct(lat, 0.50), pct(lat, 0.99), pct(lat, 0.999), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e3,
                measuredWrites - lat.length);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e3;
    }

    /** Latencies in nanoseconds of updates written inside the measured window; consumer thread only. */
    private static final class Recorder {
        final long[] samples;
        final long from;
        final long to;
        int count;

        Recorder(int capacity, long from, long to) {
            this.samples = new long[capacity];
            this.from = from;
            this.to = to;
        }

        void onNext(Entry e) {
            long now = System.nanoTime();
            long t0 = (long) (double) ((StatsEntry) e).values().get("t");
            if (t0 >= from && t0 < to && count < samples.length) {
                samples[count++] = now - t0;
            }
        }

        long[] sorted() {
            long[] out = Arrays.copyOf(samples, count);
            Arrays.sort(out);
            return out;
        }
    }
}
