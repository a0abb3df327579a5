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
 * fault layer. Every node writes objects, meta and stats (100 of each per second per node) while
 * the fault is on; the writes stop, the fault is lifted, and the time until every node holds the same
 * state digest is measured (polled every 2 ms).
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncConvergenceBench [trials=3] [lossSeconds=3] [partitionSeconds=8]}
 */
public final class SyncConvergenceBench {

    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private SyncConvergenceBench() {
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int lossSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int partitionSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        SyncSettings settings = SyncSettings.defaults("bench", "convergence benchmark secret 0123", Ports.randomGroup(), Ports.freeUdpPort());
        try (InProcessCluster cluster = InProcessCluster.start(5, settings, "n", 7)) {
            cluster.awaitConverged(GIVE_UP);
            System.out.printf("5 nodes, %s%n", settings);
            int round = 0;

            double baseline = writeThenMeasure(cluster, round++, 1, () -> { }, () -> { });
            System.out.printf("no faults (writes stop -> identical digests): %.0f ms%n", baseline);

            double[] loss = new double[trials];
            for (int t = 0; t < trials; t++) {
                long droppedBefore = dropped(cluster);
                loss[t] = writeThenMeasure(cluster, round++, lossSeconds,
                        () -> cluster.faults(FaultPlan.loss(20)), () -> cluster.faults(FaultPlan.NONE));
                System.out.printf("20 %% loss for %d s, then lifted: converged in %.0f ms (%d datagrams dropped)%n",
                        lossSeconds, loss[t], dropped(cluster) - droppedBefore);
            }
            double[] partition = new double[trials];
            for (int t = 0; t < trials; t++) {
                long droppedBefore = dropped(cluster);
                partition[t] = writeThenMeasure(cluster, round++, partitionSeconds,
                        () -> cluster.partition(Set.of("n1", "n2")), cluster::heal);
                System.out.printf("partition {n1,n2}|{n3,n4,n5} for %d s, then healed: converged in %.0f ms (%d datagrams dropped)%n",
                        partitionSeconds, partition[t], dropped(cluster) - droppedBefore);
            }
            System.out.printf("after 20 %% loss stops: median %.0f ms, max %.0f ms (target 2000 ms)%n", median(loss), max(loss));
            System.out.printf("after a partition heals: median %.0f ms, max %.0f ms (target 3000 ms)%n", median(partition), max(partition));
        }
    }

    /** Starts the fault, writes for a while on every node, stops writing, ends the fault, and returns ms until converged. */
    private static double writeThenMeasure(InProcessCluster cluster, int round, int seconds, Runnable faultOn, Runnable faultOff) throws Exception {
        cluster.awaitConverged(GIVE_UP);
        faultOn.run();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int i = 0;
        for (long tick = System.nanoTime(); System.nanoTime() < end; tick += 10_000_000L, i++) {
            for (InProcessCluster.Node n : cluster.nodes()) {
                ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "conv-" + round + "-" + n.id + "-" + i);
                n.cdb().putObject(key, null, Json.object().put("i", i), null).await().atMost(Duration.ofSeconds(5));
                n.cdb().putMeta(key, Json.object().put("state", "running"));
                n.cdb().putStats(key, Map.of("cpu", i / 100.0));
            }
            long sleep = tick + 10_000_000L - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
            }
        }
        long t0 = System.nanoTime();
        faultOff.run();
        long giveUp = t0 + GIVE_UP.toNanos();
        while (!cluster.converged()) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("not converged within " + GIVE_UP + ": " + cluster.describe());
            }
            Thread.sleep(2);
        }
        return (System.nanoTime() - t0) / 1e6;
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
