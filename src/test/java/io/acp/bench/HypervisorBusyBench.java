package io.acp.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.Systems;
import io.acp.testing.BenchArgs;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How long an operation waits on a node that runs many systems: {@code running} systems run
 * (real libvirt on test:///default, in-memory CDB) and the service samples their stats every
 * second, as a node does, while one system at a time is created and stopped, one every
 * {@code gap} ms, {@code ops} times. Prints the latency of a create + stop (p50, p99, max; each
 * counted from when it was due, {@link HypervisorBench#onSchedule}) and the
 * time a whole stats sample and a whole reconcile take; an operation queued behind a sample or a
 * reconcile waited for all of it when each was one trip to the hypervisor's thread. The reconcile
 * runs every {@code reconcile} seconds (a node's default is 10).
 *
 * <p>Usage: {@code HypervisorBusyBench [running=1000] [ops=500] [gap ms=20] [warm-up ops=200] [reconcile s=10]}.
 */
public final class HypervisorBusyBench {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private HypervisorBusyBench() {
    }

    public static void main(String[] args) throws Exception {
        int running = BenchArgs.whole(args, 0, "running", 1000);
        int ops = BenchArgs.whole(args, 1, "ops", 500);
        int gapMs = BenchArgs.whole(args, 2, "gap ms", 20);
        int warmups = BenchArgs.whole(args, 3, "warm-up ops", 200);
        int reconcileS = BenchArgs.whole(args, 4, "reconcile s", 10);
        run(running, ops, gapMs, warmups, reconcileS);
        System.exit(0); // libvirt's event loop thread is a daemon, but be sure
    }

    private static void run(int running, int ops, int gapMs, int warmups, int reconcileS) throws Exception {
        ObjectNode spec = HypervisorBench.spec();
        HypervisorService service = HypervisorBench.startService(Duration.ofSeconds(1), Duration.ofSeconds(reconcileS), Cdb.inMemory("bench"));
        Systems systems = service.systems();
        String prefix = "b" + ProcessHandle.current().pid() + "-";
        HypervisorBench.createRunning(systems, prefix + "run-", running);
        long sample = HypervisorBench.medianOf5(() -> service.sampleStatsNow().await().atMost(WAIT));
        long reconcile = HypervisorBench.medianOf5(() -> service.reconcileNow().await().atMost(WAIT));
        System.out.printf("%d systems running, sampled every second, reconciled every %d s; a sample takes %.1f ms, a reconcile %.1f ms (medians of 5); "
                + "%d create+stop, one every %d ms, after %d%n", running, reconcileS, sample / 1e6, reconcile / 1e6, ops, gapMs, warmups);
        operations(systems, spec, prefix + "warm-", warmups, gapMs);
        long[] took = operations(systems, spec, prefix + "op-", ops, gapMs);
        Arrays.sort(took);
        double p50 = took[took.length / 2] / 1e6;
        double p99 = took[(int) Math.ceil(took.length * 0.99) - 1] / 1e6;
        double max = took[took.length - 1] / 1e6;
        System.out.printf("create+stop: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", p50, p99, max);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.busy.p50 %.2f ms%n", p50);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.busy.p99 %.2f ms%n", p99);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.busy.max %.2f ms%n", max);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.busy.sampleMs %.1f ms%n", sample / 1e6);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.busy.reconcileMs %.1f ms%n", reconcile / 1e6);
        service.stop().await().atMost(WAIT);
    }

    /** {@code n} create+stop of new systems, one due every {@code gapMs}; each one's latency from when it was due. */
    private static long[] operations(Systems systems, ObjectNode spec, String prefix, int n, int gapMs) {
        return HypervisorBench.onSchedule(n, gapMs, i -> {
            systems.create(prefix + i, spec).await().atMost(WAIT);
            systems.stop(prefix + i).await().atMost(WAIT);
        });
    }
}
