package io.acp.cluster.sync.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.ClusterSync;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole receive side of one real node at the scale target, without real time: what
 * {@link SyncScaleBench} measures of its sync threads, but insensitive to the machine falling
 * behind. A real {@link ClusterSync} (documented defaults) gets the datagrams of {@code peers}
 * {@link SimulatedPeers} (their objects once, then per round each peer's stats flush of
 * {@code objects} samples with its seal tags, and a heartbeat from each) handed to its receiver by
 * this benchmark's thread, in the I/O thread's place: open, reassemble, hand over; its sync thread
 * then does all it does for them (decode, compare with the held version, origin check, seal store,
 * CDB merge, state index through the change stream) and its own timers. A round is handed over
 * whole and then waited for, so nothing is dropped as overload. Measured: CPU time (ThreadMXBean) of
 * the sync thread and of the handing thread over the measured rounds, per merged entry.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncHandleCostBench [peers=126] [objects=100] [warm-up rounds=5] [rounds=10]}
 */
public final class SyncHandleCostBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SyncHandleCostBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // worker pools of the node's start and stop would keep the JVM alive for a minute
    }

    private static void run(String[] args) throws Exception {
        int peers = BenchStart.arg(args, 0, "peers", 126);
        int objects = BenchStart.arg(args, 1, "objects", 100);
        int warmup = BenchStart.arg(args, 2, "warm-up rounds", 5);
        int rounds = BenchStart.arg(args, 3, "rounds", 10);
        BenchStart start = BenchStart.cluster("handle cost");
        TestPki.provision(start.ca(), start.root().resolve("real1"), "real1");
        Cdb cdb = Cdb.inMemory("real1");
        ByteCountingTransport[] tapped = new ByteCountingTransport[1];
        Set<Long> before = SyncScaleBench.syncThreads();
        ClusterSync sync = new ClusterSync(cdb, start.settings(), "real1", start.root().resolve("real1"), t -> tapped[0] = new ByteCountingTransport(t, "real1"));
        try {
            sync.start().await().atMost(Duration.ofSeconds(10));
            Set<Long> syncThreads = SyncScaleBench.syncThreads();
            syncThreads.removeAll(before);
            X509Certificate cert = Pem.readCertificate(PkiFiles.in(start.root().resolve("real1")).nodeCertificate());
            SimulatedPeers sims = new SimulatedPeers(start.settings(), peers, objects, sync::digest, start.ca(), start.root(), Map.of("real1", cert));
            List<byte[]> round = new ArrayList<>();
            sims.divertTo(round::add);
            InetSocketAddress from = new InetSocketAddress("127.0.0.1", 9);
            for (int i = 0; i < peers; i++) {
                sims.announceObjects(i);
            }
            deliver(tapped[0], round, from);
            waitFor(() -> cdb.objectCount() >= peers * objects, "objects of every peer");

            long cpuSync = 0;
            long cpuHanding = 0;
            long merged0 = 0;
            long datagrams = 0;
            for (int r = 0; r < warmup + rounds; r++) {
                if (r == warmup) {
                    cpuSync = SyncScaleBench.cpuOf(syncThreads);
                    merged0 = sync.stats().getOrDefault("sync.entries.merged", 0L);
                }
                round.clear();
                for (int i = 0; i < peers; i++) {
                    sims.sendStats(i, r);
                    sims.sendHeartbeat(i);
                }
                long expected = sync.stats().getOrDefault("sync.entries.merged", 0L) + (long) peers * objects;
                long t0 = THREADS.getCurrentThreadCpuTime();
                deliver(tapped[0], round, from);
                if (r >= warmup) {
                    cpuHanding += THREADS.getCurrentThreadCpuTime() - t0;
                    datagrams += round.size();
                }
                waitFor(() -> sync.stats().getOrDefault("sync.entries.merged", 0L) >= expected, "round " + r);
            }
            long merged = sync.stats().getOrDefault("sync.entries.merged", 0L) - merged0;
            double syncMicros = (SyncScaleBench.cpuOf(syncThreads) - cpuSync) / 1000.0;
            double handingMicros = cpuHanding / 1000.0;
            Map<String, Long> stats = sync.stats();
            long dropped = stats.entrySet().stream().filter(e -> e.getKey().startsWith("sync.dropped.")).mapToLong(Map.Entry::getValue).sum();
            long refused = stats.entrySet().stream().filter(e -> e.getKey().startsWith("sync.refused.")).mapToLong(Map.Entry::getValue).sum();
            System.out.printf("%d peers x %d objects, %d rounds measured: %d datagrams handed over, %d entries merged; dropped %d, refused %d%n",
                    peers, objects, rounds, datagrams, merged, dropped, refused);
            double perEntry = (syncMicros + handingMicros) / merged;
            System.out.printf("sync thread %.2f us per entry, handing over (open, reassemble) %.2f us per entry; whole receive %.2f us per entry: %.2f %% of a core at %d entries/s%n",
                    syncMicros / merged, handingMicros / merged, perEntry, perEntry * peers * objects / 10_000.0, peers * objects);
            sims.close();
        } finally {
            sync.stop().await().atMost(Duration.ofSeconds(10));
            cdb.close();
            start.close();
        }
    }

    /** In the I/O thread's place: to the receiver the node gave its transport, past the byte counting. */
    private static void deliver(ByteCountingTransport transport, List<byte[]> datagrams, InetSocketAddress from) {
        for (byte[] d : datagrams) {
            transport.nodeReceiver.onDatagram(d, d.length, from);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not done within 120 s: " + what);
            }
            Thread.sleep(2);
        }
    }
}
