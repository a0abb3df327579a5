package io.acp.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.Systems;
import io.acp.node.NodeCalls;
import io.acp.testing.BenchArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * How long a request waits on the hypervisor's thread while the reconcile runs: {@code systems}
 * systems are defined (not started: no guest runs, so this works on {@code qemu:///system} too,
 * where a status costs a round trip to libvirtd), reconciles run on one thread with {@code pause}
 * ms between them (0: back to back, the worst case; a node's default interval is 10 s), and
 * meanwhile a system's status is asked for ({@code hypervisor.show}, one trip to the hypervisor's
 * thread) every {@code gap} ms, {@code reads} times after as many unmeasured. Prints the latency of
 * a show (p50, p99, max) and how long a whole reconcile takes. Every domain it defined is undefined
 * at the end, a failed run's too.
 *
 * With {@code walk} {@code list}, a system list ({@code hypervisor.list}, which reads every
 * system's domain as the reconcile does) takes the reconcile's place.
 *
 * <p>Usage: {@code HypervisorReconcileBench [uri=test:///default] [systems=1000] [reads=2000] [gap ms=5] [pause ms=0] [walk=reconcile|list]}.
 */
public final class HypervisorReconcileBench {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private HypervisorReconcileBench() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 ? args[0] : "test:///default";
        int systems = BenchArgs.whole(args, 1, "systems", 1000);
        int reads = BenchArgs.whole(args, 2, "reads", 2000);
        int gapMs = BenchArgs.whole(args, 3, "gap ms", 5);
        int pauseMs = BenchArgs.whole(args, 4, "pause ms", 0);
        boolean list = args.length > 5 && args[5].equals("list");
        if (args.length > 5 && !list && !args[5].equals("reconcile")) {
            throw new IllegalArgumentException("walk must be reconcile or list, got " + args[5]);
        }
        String prefix = "acp-reconcile-bench-" + ProcessHandle.current().pid() + "-";
        try {
            run(uri, prefix, systems, reads, gapMs, pauseMs, list);
        } finally {
            undefine(uri, prefix, systems);
        }
        System.exit(0); // libvirt's event loop thread is a daemon, but be sure
    }

    private static void run(String uri, String prefix, int n, int reads, int gapMs, int pauseMs, boolean list) throws Exception {
        Duration never = Duration.ofHours(1); // reconciles are run by the benchmark, stats not sampled
        HypervisorService service = HypervisorBench.startService(uri, never, never, Cdb.inMemory("bench"));
        Systems systems = service.systems();
        ObjectNode spec = HypervisorBench.spec();
        for (int i = 0; i < n; i++) {
            systems.create(prefix + i, spec, false, NodeCalls.none("bench")).await().atMost(WAIT);
        }
        long whole = HypervisorBench.medianOf5(() -> walk(service, list));
        AtomicBoolean go = new AtomicBoolean(true);
        List<Long> reconciles = new ArrayList<>();
        Thread reconciling = new Thread(() -> {
            while (go.get()) {
                long t0 = System.nanoTime();
                walk(service, list);
                synchronized (reconciles) {
                    reconciles.add(System.nanoTime() - t0);
                }
                LockSupport.parkNanos(pauseMs * 1_000_000L);
            }
        }, "bench-reconciles");
        reconciling.start();
        shows(systems, prefix + "0", reads, gapMs);
        long[] took = shows(systems, prefix + "0", reads, gapMs);
        go.set(false);
        reconciling.join(WAIT.toMillis());
        Arrays.sort(took);
        double p50 = took[took.length / 2] / 1e6;
        double p99 = took[(int) Math.ceil(took.length * 0.99) - 1] / 1e6;
        double max = took[took.length - 1] / 1e6;
        String what = list ? "list" : "reconcile";
        System.out.printf(Locale.ROOT, "%s: %d systems defined; a %s alone takes %.1f ms (median of %d); %d of them, %d ms apart, while "
                + "%d shows ran, one every %d ms, after %d%n", uri, n, what, whole / 1e6, 5, reconciles.size(), pauseMs, reads, gapMs, reads);
        System.out.printf(Locale.ROOT, "show: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", p50, p99, max);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.%s.show.p99 %.2f ms%n", what, p99);
        System.out.printf(Locale.ROOT, "RESULT hypervisor.%s.wholeMs %.1f ms%n", what, whole / 1e6);
        service.stop().await().atMost(WAIT);
    }

    /** One reconcile, or with {@code list} one system list. */
    private static void walk(HypervisorService service, boolean list) {
        if (list) {
            service.systems().list().await().atMost(WAIT);
        } else {
            service.reconcileNow().await().atMost(WAIT);
        }
    }

    /** {@code n} shows of system {@code id}, one due every {@code gapMs}; each one's latency from when it was due. */
    private static long[] shows(Systems systems, String id, int n, int gapMs) {
        return HypervisorBench.onSchedule(n, gapMs, i -> systems.show(id).await().atMost(WAIT));
    }

    /** Undefines the benchmark's domains wherever they are left (none is running). */
    private static void undefine(String uri, String prefix, int n) throws LibvirtException {
        Connect c = new Connect(uri);
        try {
            for (int i = 0; i < n; i++) {
                try {
                    Domain d = c.domainLookupByName(prefix + i);
                    try {
                        d.undefine();
                    } finally {
                        d.free();
                    }
                } catch (LibvirtException gone) {
                    // never defined, or undefined already
                }
            }
        } finally {
            c.close();
        }
    }
}
