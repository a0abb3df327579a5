package io.acp.bench;

import io.acp.cluster.journal.Journal;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The journal's write path with fsync on, on a real disk: (a) one writer awaiting each append (one
 * sync per write: the latency a single client sees) and (b) several writers at once (appends queued
 * together share one sync). Prints appends per second and the per-append latency. Bounded: a fixed
 * number of appends per round, in a fresh journal each round.
 *
 * <p>Usage: {@code JournalAppendBench [dir on the disk to measure] [sequential appends] [writers] [appends per writer] [rounds]}.
 */
public final class JournalAppendBench {

    private JournalAppendBench() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "target");
        int sequential = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int writers = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int perWriter = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Files.createDirectories(base);
        System.out.printf("journal append, fsync on, in %s: %d sequential appends; %d writers x %d appends; %d rounds%n",
                base.toAbsolutePath(), sequential, writers, perWriter, rounds);
        double[] seqRate = new double[rounds];
        double[] seqP50 = new double[rounds];
        double[] seqP99 = new double[rounds];
        double[] parRate = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            Path dir = Files.createTempDirectory(base, "acp-journal-append-");
            try {
                long[] lat = new long[sequential];
                long t0 = System.nanoTime();
                try (Journal j = Journal.open(dir.resolve("seq"), true, Long.MAX_VALUE)) {
                    for (int i = 0; i < sequential; i++) {
                        long s = System.nanoTime();
                        j.append(entry(i)).await().indefinitely();
                        lat[i] = System.nanoTime() - s;
                    }
                }
                seqRate[r] = sequential / ((System.nanoTime() - t0) / 1e9);
                Arrays.sort(lat);
                seqP50[r] = lat[sequential / 2] / 1e3;
                seqP99[r] = lat[sequential * 99 / 100] / 1e3;

                AtomicLong done = new AtomicLong();
                CountDownLatch finished = new CountDownLatch(writers);
                long t1 = System.nanoTime();
                try (Journal j = Journal.open(dir.resolve("par"), true, Long.MAX_VALUE)) {
                    List<Thread> threads = new ArrayList<>();
                    for (int w = 0; w < writers; w++) {
                        int writer = w;
                        threads.add(startWriter(() -> {
                            for (int i = 0; i < perWriter; i++) {
                                j.append(entry(writer * perWriter + i)).await().indefinitely();
                                done.incrementAndGet();
                            }
                            finished.countDown();
                        }));
                    }
                    finished.await();
                }
                parRate[r] = done.get() / ((System.nanoTime() - t1) / 1e9);
                System.out.printf("round %d: sequential %.0f appends/s (p50 %.0f us, p99 %.0f us); %d writers %.0f appends/s%n",
                        r + 1, seqRate[r], seqP50[r], seqP99[r], writers, parRate[r]);
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        System.out.printf("RESULT journal-append sequential median %.0f appends/s p50 %.0f us p99 %.0f us; %d writers median %.0f appends/s%n",
                median(seqRate), median(seqP50), median(seqP99), writers, median(parRate));
    }

    private static ObjectEntry entry(int i) {
        return new ObjectEntry(ObjectKey.of(ObjectType.NETWORK, "net-" + i), "vlan",
                Json.object().put("vlan", i % 4096).put("mtu", 1500).put("description", "network number " + i),
                new Version(System.currentTimeMillis() << 16 | (i & 0xFFFF), "n1"), false);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static Thread startWriter(Runnable r) {
        Thread t = new Thread(r, "writer");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
