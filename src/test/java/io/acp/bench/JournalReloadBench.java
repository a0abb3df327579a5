package io.acp.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.journal.Journal;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How long a node takes to reload its objects at start: {@code Journal.open} plus {@code Cdb.recover}
 * over a snapshot of N objects and a journal of N/10 later updates, from the page cache. Printed
 * beside the time to read the same files' bytes (the floor no parser can beat). Runs in one JVM,
 * so the first rounds include JIT warm-up: the median and best of the later rounds are the figure.
 *
 * <p>Usage: {@code JournalReloadBench [objects] [rounds]}; see scripts/bench-cdb.
 */
public final class JournalReloadBench {

    private JournalReloadBench() {
    }

    public static void main(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Path dir = Files.createTempDirectory("acp-journal-bench-");
        try {
            write(dir.resolve("journal"), objects);
            long bytes = sizeOf(dir.resolve("journal"));
            System.out.printf("journal reload: %,d objects (+%,d updates in the journal), %,d bytes on disk%n", objects, objects / 10, bytes);
            double[] reload = new double[rounds];
            double[] cpu = new double[rounds];
            double[] read = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                long c0 = processCpuNanos();
                int n;
                try (Journal j = Journal.open(dir.resolve("journal"), false, Long.MAX_VALUE);
                        Cdb cdb = new Cdb("n1", new HybridClock(), j, 5)) {
                    n = cdb.recover();
                    if (cdb.objectCount() != objects) {
                        throw new IllegalStateException("reloaded " + cdb.objectCount() + " objects, wrote " + objects);
                    }
                }
                reload[r] = (System.nanoTime() - t0) / 1e6;
                cpu[r] = (processCpuNanos() - c0) / 1e6;
                long t1 = System.nanoTime();
                long seen = 0;
                try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
                    for (Path p : files.toList()) {
                        seen += Files.readAllBytes(p).length;
                    }
                }
                read[r] = (System.nanoTime() - t1) / 1e6;
                System.out.printf("round %d: reload %8.1f ms wall, %8.1f ms cpu (%,d records), read bytes %6.1f ms (%,d bytes)%n",
                        r + 1, reload[r], cpu[r], n, read[r], seen);
            }
            int from = Math.min(2, rounds - 1); // the first rounds warm the JIT up
            System.out.printf("RESULT journal-reload-%dk median %.1f ms best %.1f ms wall, median %.1f ms cpu (all threads, GC included);"
                    + " read-bytes median %.1f ms (rounds %d..%d)%n",
                    objects / 1000, median(reload, from), best(reload, from), median(cpu, from), median(read, from), from + 1, rounds);
        } finally {
            if (System.getProperty("acp.bench.keep") != null) { System.out.println("kept " + dir); return; }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A snapshot of {@code objects} objects (by a compaction) and a journal of a tenth as many updates. */
    private static void write(Path dir, int objects) {
        try (Journal j = Journal.open(dir, false, Long.MAX_VALUE)) {
            long t = System.currentTimeMillis() << 16;
            List<ObjectEntry> all = new ArrayList<>(objects);
            for (int i = 0; i < objects; i++) {
                all.add(entry(i, t + i));
            }
            j.compact(all);
            for (int i = 0; i < objects / 10; i++) {
                j.append(entry(i * 10, t + objects + i)).await().indefinitely();
            }
        }
    }

    private static ObjectEntry entry(int i, long time) {
        ObjectKey key = ObjectKey.of(ObjectType.NETWORK, "net-" + i);
        return new ObjectEntry(key, "vlan", Json.object().put("vlan", i % 4096).put("mtu", 1500).put("description", "network number " + i),
                new Version(time, "n" + (i % 8 + 1)), false);
    }

    /** CPU time of the whole process: less disturbed than wall time when the machine is busy. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long sizeOf(Path dir) throws IOException {
        long n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                n += Files.size(p);
            }
        }
        return n;
    }

    private static double median(double[] v, int from) {
        double[] s = Arrays.copyOfRange(v, from, v.length);
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double best(double[] v, int from) {
        return Arrays.stream(v, from, v.length).min().orElse(0);
    }
}
