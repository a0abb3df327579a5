package io.acp.cluster.sync.bench;

import io.acp.cluster.sync.SyncSettings;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.FaultyTransport.FaultPlan;
import io.acp.testing.InProcessCluster;
import io.acp.testing.Ports;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Convergence time: 5 in-process nodes on loopback multicast with the documented default timings
 * (heartbeat 0.5 s, anti-entropy every 1 s, suspect 2 s, dead 6 s), each behind the seeded receive-side
 * fault layer. While the fault is on, every node creates {@code writes} objects per second (each
 * with a meta and a stats entry) and reports a stats sample of 100 objects of its own every second;
 * then the writes stop, the fault is lifted, and the time until every node holds the same state
 * digest is measured (polled every 2 ms; given up after 20 s).
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncConvergenceBench [trials=3] [lossSeconds=3] [partitionSeconds=8] [writes=20]}
 */
public final class SyncConvergenceBench {

    private static final Duration GIVE_UP = Duration.ofSeconds(20);
    private static int writesPerSecond;

    private SyncConvergenceBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // worker pools of the nodes' start and stop would keep the JVM alive for a minute
    }

    private static void run(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int lossSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int partitionSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        writesPerSecond = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        SyncSettings settings = SyncSettings.defaults("bench", "convergence benchmark secret 0123", Ports.randomGroup(), Ports.freeUdpPort());
        try (InProcessCluster cluster = InProcessCluster.start(5, settings, "n", 7)) {
            for (InProcessCluster.Node n : cluster.nodes()) {
                for (int k = 0; k < 100; k++) {
                    n.cdb().putObject(ObjectKey.of(ObjectType.SYSTEM, n.id + "-host-" + k), null, Json.object(), null).await().atMost(Duration.ofSeconds(5));
                }
            }
            cluster.awaitConverged(GIVE_UP);
            System.out.printf("5 nodes, %s; %d objects created per second per node while faulty, 100 stats per second per node%n", settings, writesPerSecond);
            int round = 0;

            double baseline = writeThenMeasure(cluster, round++, 1, () -> { }, () -> { });
            System.out.printf("no faults (writes stop -> identical digests): %s%n", ms(baseline));

            double[] loss = new double[trials];
            for (int t = 0; t < trials; t++) {
                long droppedBefore = dropped(cluster);
                long kernelBefore = KernelUdpCounters.receiveBufferDrops();
                loss[t] = writeThenMeasure(cluster, round++, lossSeconds,
                        () -> cluster.faults(FaultPlan.loss(20)), () -> cluster.faults(FaultPlan.NONE));
                System.out.printf("20 %% loss for %d s, then lifted: converged in %s (%d datagrams dropped by the fault layer, %d by the kernel)%n",
                        lossSeconds, ms(loss[t]), dropped(cluster) - droppedBefore, KernelUdpCounters.receiveBufferDrops() - kernelBefore);
            }
            double[] partition = new double[trials];
            for (int t = 0; t < trials; t++) {
                long droppedBefore = dropped(cluster);
                long kernelBefore = KernelUdpCounters.receiveBufferDrops();
                partition[t] = writeThenMeasure(cluster, round++, partitionSeconds,
                        () -> cluster.partition(Set.of("n1", "n2")), cluster::heal);
                System.out.printf("partition {n1,n2}|{n3,n4,n5} for %d s, then healed: converged in %s (%d datagrams dropped by the fault layer, %d by the kernel)%n",
                        partitionSeconds, ms(partition[t]), dropped(cluster) - droppedBefore, KernelUdpCounters.receiveBufferDrops() - kernelBefore);
            }
            System.out.printf("after 20 %% loss stops: median %s, max %s (target 2000 ms)%n", ms(median(loss)), ms(max(loss)));
            System.out.printf("after a partition heals: median %s, max %s (target 3000 ms)%n", ms(median(partition)), ms(max(partition)));
        }
    }

    /** Starts the fault, writes for a while on every node, stops writing, ends the fault, and returns ms until converged. */
    private static double writeThenMeasure(InProcessCluster cluster, int round, int seconds, Runnable faultOn, Runnable faultOff) throws Exception {
        cluster.awaitConverged(GIVE_UP);
        faultOn.run();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long periodNanos = 1_000_000_000L / writesPerSecond;
        long nextStats = System.nanoTime();
        int i = 0;
        for (long tick = System.nanoTime(); System.nanoTime() < end; tick += periodNanos, i++) {
            for (InProcessCluster.Node n : cluster.nodes()) {
                ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "conv-" + round + "-" + n.id + "-" + i);
                n.cdb().putObject(key, null, Json.object().put("i", i), null).await().atMost(Duration.ofSeconds(5));
                n.cdb().putMeta(key, Json.object().put("state", "running"));
                n.cdb().putStats(key, Map.of("cpu", i / 100.0));
            }
            if (System.nanoTime() >= nextStats) {
                nextStats += 1_000_000_000L;
                for (InProcessCluster.Node n : cluster.nodes()) {
                    for (int k = 0; k < 100; k++) {
                        n.cdb().putStats(ObjectKey.of(ObjectType.SYSTEM, n.id + "-host-" + k), Map.of("cpu", (double) i, "mem", i * 2.0));
                    }
                }
            }
            long sleep = tick + periodNanos - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
            }
        }
        long t0 = System.nanoTime();
        faultOff.run();
        long giveUp = t0 + GIVE_UP.toNanos();
        while (!cluster.converged()) {
            if (System.nanoTime() > giveUp) {
                System.out.println("not converged within " + GIVE_UP + "; " + cluster.describe());
                return Double.POSITIVE_INFINITY;
            }
            Thread.sleep(2);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String ms(double millis) {
        return Double.isInfinite(millis) ? "> " + GIVE_UP.toMillis() + " ms" : String.format("%.0f ms", millis);
    }

    private static long dropped(InProcessCluster cluster) {
        return cluster.nodes().stream().mapToLong(n -> n.faults().dropped()).sum();
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(0);
    }
}
