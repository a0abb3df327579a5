package io.acp.cluster.sync.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.ClusterSync;
import io.acp.cluster.sync.SyncSettings;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale: one L2 domain of {@code total} nodes × {@code objects} objects, each with a 4-value stats
 * sample every second. {@code real} nodes run the real {@link ClusterSync} (documented default
 * settings, loopback multicast); the other nodes are {@link SimulatedPeers}: real sealed datagrams at
 * the steady-state rate of a node, from one socket. Measured per real node over the window: CPU time
 * of its two sync threads (the sync thread and the transport's I/O thread, by ThreadMXBean), and the
 * UDP payload bytes it sends and receives. The thread that writes the real nodes' local stats is
 * measured apart (it runs the CDB write as well as the sync's change hook).
 *
 * <p>With {@code heapEverySeconds} above 0 the window is cut into slices of that length, and after
 * each one the benchmark prints the heap that a full collection leaves ({@code System.gc()}) and the
 * real nodes' sync CPU in that slice: whether the heap stays flat over a long run, in the same run
 * as its CPU. The collections stop the sync threads for a moment but cost them no CPU.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncScaleBench [total=128] [real=2] [objects=100] [warmupSeconds=8] [seconds=20] [heapEverySeconds=0]}
 */
public final class SyncScaleBench {

    private record RealNode(String id, Cdb cdb, ClusterSync sync, ByteCountingTransport bytes, Set<Long> threads, List<ObjectKey> objects) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SyncScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // worker pools of the nodes' start and stop would keep the JVM alive for a minute
    }

    private static void run(String[] args) throws Exception {
        int total = BenchStart.arg(args, 0, "total", 128);
        int real = BenchStart.arg(args, 1, "real", 2);
        int objects = BenchStart.arg(args, 2, "objects", 100);
        int warmup = BenchStart.arg(args, 3, "warmupSeconds", 8);
        int seconds = BenchStart.arg(args, 4, "seconds", 20);
        int heapEvery = BenchStart.arg(args, 5, "heapEverySeconds", 0);
        BenchStart start = BenchStart.cluster("scale");
        List<RealNode> nodes = new ArrayList<>();
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2, r -> new Thread(r, "bench-load"));
        AtomicLong writerCpu = new AtomicLong();
        try {
            for (int r = 1; r <= real; r++) {
                nodes.add(startReal("real" + r, start.settings(), start.root(), objects, start.ca()));
            }
            Map<String, java.security.cert.X509Certificate> realCerts = new java.util.TreeMap<>();
            nodes.forEach(n -> realCerts.put(n.id(), io.acp.security.Pem.readCertificate(PkiFiles.in(start.root().resolve(n.id())).nodeCertificate())));
            SimulatedPeers sims = new SimulatedPeers(start.settings(), total - real, objects, () -> nodes.get(0).sync().digest(), start.ca(), start.root(), realCerts);
            System.out.printf("%d nodes: %d real (ClusterSync, %s), %d simulated; %d objects each, stats every 1 s%n",
                    total, real, start.settings(), sims.size(), objects);

            // simulated nodes: spread over the second in 10 ms ticks, as independent nodes would be
            AtomicLong tick = new AtomicLong();
            load.scheduleAtFixedRate(() -> {
                long t = tick.getAndIncrement();
                try {
                    for (int i = 0; i < sims.size(); i++) {
                        if (t < 100 && i % 100 == t % 100 || t >= 200 && t < 300 && i % 100 == t % 100) {
                            sims.announceObjects(i); // twice, a second apart, in case a burst overflowed a buffer
                        }
                        if (t >= 300 && i % 100 == t % 100) {
                            sims.sendStats(i, t / 100);
                        }
                        if (i % 50 == t % 50) {
                            sims.sendHeartbeat(i);
                        }
                    }
                    sims.drainUnicast();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, 0, 10, TimeUnit.MILLISECONDS);
            // real nodes: a stats sample of every object once a second, like the stats collector
            load.scheduleAtFixedRate(() -> {
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                for (RealNode n : nodes) {
                    double v = System.nanoTime() % 1000;
                    for (ObjectKey key : n.objects()) {
                        n.cdb().putStats(key, Map.of("cpu", v, "mem", v * 2, "rx", v * 3, "tx", v * 4));
                    }
                }
                writerCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
            }, 500, 1000, TimeUnit.MILLISECONDS);

            long t0 = System.nanoTime();
            long expected = (long) total * objects;
            while (nodes.stream().anyMatch(n -> n.cdb().objectCount() < expected) && System.nanoTime() - t0 < 30_000_000_000L) {
                Thread.sleep(50);
            }
            System.out.printf("objects held after %.1f s: %s (of %d)%n", (System.nanoTime() - t0) / 1e9,
                    nodes.stream().map(n -> n.id() + "=" + n.cdb().objectCount()).toList(), expected);
            Thread.sleep(warmup * 1000L);

            long[] cpu = new long[real];
            long[] user = new long[real];
            long[] io = new long[real];
            long[] sent = new long[real];
            long[] received = new long[real];
            Map<String, Long>[] before = snapshot(nodes);
            for (int i = 0; i < real; i++) {
                cpu[i] = cpuOf(nodes.get(i).threads());
                user[i] = userOf(nodes.get(i).threads());
                io[i] = cpuOf(ioThreads(nodes.get(i).threads()));
                sent[i] = nodes.get(i).bytes().bytesSent.get();
                received[i] = nodes.get(i).bytes().bytesReceived.get();
            }
            long writer0 = writerCpu.get();
            long process0 = processCpu();
            long simBytes0 = sims.bytesSent();
            long simDatagrams0 = sims.datagramsSent();
            long w0 = System.nanoTime();
            if (heapEvery > 0) {
                sliceWithHeap(nodes, seconds, heapEvery);
            } else {
                Thread.sleep(seconds * 1000L);
            }
            double wall = (System.nanoTime() - w0) / 1e9;
            Map<String, Long>[] after = snapshot(nodes);

            System.out.printf("measured %.1f s after %d s warm-up%n", wall, warmup);
            for (int i = 0; i < real; i++) {
                RealNode n = nodes.get(i);
                double cpuPct = (cpuOf(n.threads()) - cpu[i]) / 1e9 / wall * 100;
                System.out.printf("%s: sync threads CPU %.2f %% of a core; sent %.1f kB/s, received %.1f kB/s (UDP payload); %s%n",
                        n.id(), cpuPct, (n.bytes().bytesSent.get() - sent[i]) / wall / 1000, (n.bytes().bytesReceived.get() - received[i]) / wall / 1000,
                        delta(before[i], after[i], wall));
                double kernelPct = cpuPct - (userOf(n.threads()) - user[i]) / 1e9 / wall * 100;
                double ioPct = (cpuOf(ioThreads(n.threads())) - io[i]) / 1e9 / wall * 100;
                System.out.printf("%s: of that, the I/O thread %.2f %% and the sync thread %.2f %%; in the kernel %.2f %% (both threads)%n",
                        n.id(), ioPct, cpuPct - ioPct, kernelPct);
            }
            System.out.printf("stats writer thread (CDB putStats + sync change hook), per real node: %.2f %% of a core%n",
                    (writerCpu.get() - writer0) / 1e9 / wall * 100 / real);
            System.out.printf("simulated nodes: %.1f kB/s, %.0f datagrams/s in all (%.2f kB/s per node); pulls received by them: %d%n",
                    (sims.bytesSent() - simBytes0) / wall / 1000, (sims.datagramsSent() - simDatagrams0) / wall,
                    (sims.bytesSent() - simBytes0) / wall / 1000 / sims.size(), sims.unicastReceived());
            System.out.printf("whole JVM (real nodes + simulator + benchmark): %.1f %% of a core%n", (processCpu() - process0) / 1e9 / wall * 100);
            load.shutdownNow();
            sims.close();
        } finally {
            load.shutdownNow();
            for (RealNode n : nodes) {
                n.sync().stop().await().atMost(Duration.ofSeconds(10));
                n.cdb().close();
            }
            start.close();
        }
    }

    /** Sleeps {@code seconds} in slices, printing after each the heap left by a full collection and each real node's sync CPU in it. */
    private static void sliceWithHeap(List<RealNode> nodes, int seconds, int every) throws InterruptedException {
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long start = System.nanoTime();
        for (int done = 0; done < seconds; done += every) {
            long[] cpu0 = nodes.stream().mapToLong(n -> cpuOf(n.threads())).toArray();
            long s0 = System.nanoTime();
            Thread.sleep(Math.min(every, seconds - done) * 1000L);
            double slice = (System.nanoTime() - s0) / 1e9;
            StringBuilder cpu = new StringBuilder();
            for (int i = 0; i < nodes.size(); i++) {
                cpu.append(String.format(" %s %.2f %%", nodes.get(i).id(), (cpuOf(nodes.get(i).threads()) - cpu0[i]) / 1e9 / slice * 100));
            }
            System.gc();
            System.out.printf("t=%4.0f s: heap after a full collection %.1f MB; sync CPU in the last %.0f s:%s%n",
                    (System.nanoTime() - start) / 1e9, memory.getHeapMemoryUsage().getUsed() / 1e6, slice, cpu);
        }
    }

    /** Starts a real node; its sync threads are the acp-sync threads that appear while it starts. */
    private static RealNode startReal(String id, SyncSettings settings, Path root, int objects, PkiFiles ca) {
        TestPki.provision(ca, root.resolve(id), id);
        Cdb cdb = Cdb.inMemory(id);
        ByteCountingTransport[] counting = new ByteCountingTransport[1];
        Set<Long> before = syncThreads();
        ClusterSync sync = new ClusterSync(cdb, settings, id, root.resolve(id), t -> counting[0] = new ByteCountingTransport(t, id));
        sync.start().await().atMost(Duration.ofSeconds(10));
        Set<Long> mine = syncThreads();
        mine.removeAll(before);
        List<ObjectKey> keys = new ArrayList<>();
        for (int k = 0; k < objects; k++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, id + "-obj-" + k);
            cdb.putObject(key, null, Json.object().put("real", true), null).await().atMost(Duration.ofSeconds(5));
            keys.add(key);
        }
        return new RealNode(id, cdb, sync, counting[0], mine, keys);
    }

    static Set<Long> syncThreads() {
        Set<Long> ids = new HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("acp-sync")).forEach(t -> ids.add(t.getId()));
        return ids;
    }

    /** User-mode CPU time: the rest of {@link #cpuOf} is the kernel's (system calls: receiving and sending datagrams, waking up). */
    static long userOf(Set<Long> threads) {
        return threads.stream().mapToLong(THREADS::getThreadUserTime).filter(t -> t > 0).sum();
    }

    /** The receiving I/O threads among a node's sync threads. */
    static Set<Long> ioThreads(Set<Long> threads) {
        Set<Long> out = new HashSet<>();
        for (long id : threads) {
            java.lang.management.ThreadInfo info = THREADS.getThreadInfo(id);
            if (info != null && info.getThreadName().startsWith("acp-sync-io")) {
                out.add(id);
            }
        }
        return out;
    }

    static long cpuOf(Set<Long> threads) {
        return threads.stream().mapToLong(THREADS::getThreadCpuTime).filter(t -> t > 0).sum();
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long>[] snapshot(List<RealNode> nodes) {
        return nodes.stream().map(n -> n.sync().stats()).toArray(Map[]::new);
    }

    private static String delta(Map<String, Long> before, Map<String, Long> after, double wall) {
        StringBuilder out = new StringBuilder();
        for (String k : List.of("sync.datagrams.sent", "sync.datagrams.received", "sync.entries.merged", "sync.pulls.sent", "sync.pulls.served")) {
            long d = after.getOrDefault(k, 0L) - before.getOrDefault(k, 0L);
            out.append(k.substring(5)).append(' ').append(String.format("%.0f/s ", d / wall));
        }
        long drops = after.entrySet().stream().filter(e -> e.getKey().startsWith("sync.dropped.")).mapToLong(Map.Entry::getValue).sum()
                - before.entrySet().stream().filter(e -> e.getKey().startsWith("sync.dropped.")).mapToLong(Map.Entry::getValue).sum();
        out.append("dropped ").append(drops);
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0 && (k.startsWith("sync.dropped.") || k.startsWith("sync.refused."))) {
                out.append(' ').append(k.substring("sync.".length())).append(' ').append(d);
            }
        });
        return out.toString();
    }
}
