package io.acp.cluster.sync.bench;

import io.acp.cluster.ChangeFilter;
import io.acp.cluster.sync.SyncSettings;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Propagation latency node → node: N in-process nodes on loopback multicast; stats written at a
 * paced total rate (1 ms bursts, round-robin over the nodes, 100 series per node); every other node
 * records the time from the start of the write until its CDB publishes the merged sample. The start
 * time travels in the sample itself (as JGroupsPropagationBench carries it in its payload), so a
 * delivery costs the bench no lookup. All nodes
 * share one JVM and one clock, so the figures include encryption, the kernel's loopback, decryption
 * and merge, but also the nodes competing for the same cores.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncPropagationBench [nodes=8] [rate=10000] [seconds=5] [flushMs=5] [warmupSeconds=5]}
 * The warm-up (not measured) lets the JIT compile the hot paths, crypto included, first.
 * {@code -Dacp.bench.antiEntropyMs=N} sets the anti-entropy interval (default 1000): a long one
 * takes anti-entropy out of the run, to see the delta path alone; {@code -Dacp.bench.maxLingerMs=N}
 * sets the bundler's longest wait while backed up (default: the documented 20 ms);
 * {@code -Dacp.bench.heartbeatMs=N} the heartbeat interval (default 500, the node's default), which
 * also paces the seals of what went out under pair tags.
 */
public final class SyncPropagationBench {

    private SyncPropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // worker pools of the nodes' start and stop would keep the JVM alive for a minute
    }

    private static void run(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int flushMs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        SyncSettings settings = InProcessCluster.testSettings("bench", "propagation benchmark secret 0123")
                .withTimings(Duration.ofMillis(Long.getLong("acp.bench.heartbeatMs", 500)), Duration.ofSeconds(5), Duration.ofSeconds(15),
                        Duration.ofMillis(Long.getLong("acp.bench.antiEntropyMs", 1000)))
                .withFlushInterval(Duration.ofMillis(flushMs));
        settings = settings.withBundling(Duration.ofMillis(Long.getLong("acp.bench.maxLingerMs", settings.maxLinger().toMillis())),
                settings.maxPendingDeltas());
        try (InProcessCluster cluster = InProcessCluster.start(nodes, settings, "n", 1)) {
            long base = System.nanoTime(); // sample values carry t0 - base: exact in a double for 104 days
            long[] latencies = new long[rate * (seconds + 1) * (nodes - 1)];
            AtomicLong count = new AtomicLong();
            AtomicLong unmatched = new AtomicLong();
            AtomicLong measuring = new AtomicLong(0); // 0 warm-up, 1 measuring, 2 done
            for (InProcessCluster.Node n : cluster.nodes()) {
                n.cdb().changes(new ChangeFilter(EnumSet.of(Entry.Kind.STATS), null, null, null)).subscribe().with(e -> {
                    long now = System.nanoTime();
                    if (e.node().equals(n.id) || measuring.get() != 1) {
                        return;
                    }
                    Double t0 = ((StatsEntry) e).values().get("t0");
                    if (t0 == null) {
                        unmatched.incrementAndGet();
                        return;
                    }
                    long i = count.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[(int) i] = now - base - t0.longValue();
                    }
                });
            }
            List<InProcessCluster.Node> writers = cluster.nodes();
            ObjectKey[][] keys = new ObjectKey[nodes][100];
            for (int n = 0; n < nodes; n++) {
                for (int k = 0; k < 100; k++) {
                    keys[n][k] = ObjectKey.of(ObjectType.SYSTEM, "bench-" + n + "-" + k);
                }
            }
            int perMs = Math.max(1, rate / 1000);
            long start = System.nanoTime();
            long warmupEnd = start + warmup * 1_000_000_000L;
            long end = warmupEnd + seconds * 1_000_000_000L;
            long written = 0;
            ThreadCpu cpuAtStart = ThreadCpu.snapshot();
            ThreadAlloc allocAtStart = ThreadAlloc.snapshot();
            for (long tick = start; System.nanoTime() < end; tick += 1_000_000L) {
                if (measuring.get() == 0 && System.nanoTime() >= warmupEnd) {
                    cpuAtStart = ThreadCpu.snapshot();
                    allocAtStart = ThreadAlloc.snapshot();
                    measuring.set(1);
                }
                for (int i = 0; i < perMs; i++, written++) {
                    int node = (int) (written % nodes);
                    writers.get(node).cdb().putStats(keys[node][(int) (written / nodes % 100)], Map.of("t0", (double) (System.nanoTime() - base)));
                }
                long sleep = tick + 1_000_000L - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
                }
            }
            Thread.sleep(200);
            measuring.set(2);
            ThreadCpu cpu = ThreadCpu.snapshot().minus(cpuAtStart);
            ThreadAlloc alloc = ThreadAlloc.snapshot().minus(allocAtStart);
            int n = (int) Math.min(count.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            System.out.printf("nodes %d, rate %d updates/s, flush %d ms, max linger %d ms, anti-entropy every %d ms, %d s measured%n",
                    nodes, rate, flushMs, settings.maxLinger().toMillis(), settings.antiEntropyInterval().toMillis(), seconds);
            System.out.printf("deliveries %d (expected about %d), unmatched %d%n", n, (long) rate * seconds * (nodes - 1), unmatched.get());
            System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                    pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99), pct(sorted, 0.999), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
            System.out.printf("CPU per delivered update (measured part): %s%n", cpu.perItem(n));
            System.out.printf("heap allocated per delivered update (measured part): %s%n", alloc.perItem(n));
            cluster.nodes().forEach(x -> System.out.println(x.id + " " + x.sync().stats()));
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}
