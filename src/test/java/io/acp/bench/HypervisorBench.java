package io.acp.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.node.ServiceContext;
import io.acp.hypervisor.DomainXml;
import io.acp.hypervisor.HypervisorConfig;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.SystemSpec;
import io.acp.hypervisor.Systems;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * create + start + stop of N systems through ACP's hypervisor service (in process, real libvirt
 * on test:///default, in-memory CDB) versus the same N through ONE {@code virsh -c test:///default}
 * process reading a batch of commands (define + start, destroy) on stdin, with the same domain XML.
 * Both sides run warm-up rounds first (the JVM compiles ACP's path); every round uses fresh names. Prints both times and
 * the ratio ACP / virsh.
 *
 * <p>In the same rounds, the same domains through libvirt-java alone, in this JVM on one thread
 * (define, start, destroy on the handle define returned, on a connection of its own): the library
 * ACP calls, without ACP. ACP's time over it is ACP's own: the object stored, the domain's XML made
 * and its disk's path checked, the domain read back after its start and its stop, meta written,
 * lifecycle events, and the hand-offs to the hypervisor's thread and back. After each round, outside
 * the timings, the round's systems are deleted and the library's domains undefined
 * ({@link #removeRound}).
 *
 * <p>Usage: {@code HypervisorBench [systems] [rounds] [warm-up rounds]}; see scripts/bench-hypervisor.
 */
public final class HypervisorBench {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String URI = "test:///default";

    private HypervisorBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Path dir = Files.createTempDirectory("acp-bench-hv");
        try {
            run(n, rounds, warmups, dir);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
        System.exit(0); // libvirt's event loop thread is a daemon, but be sure
    }

    private static void run(int n, int rounds, int warmups, Path dir) throws Exception {
        ObjectNode spec = spec();
        HypervisorService service = startService(Duration.ofSeconds(1), BenchCdb.CDB);
        Systems systems = service.systems();
        System.out.printf("%d systems per round: create (define+start) + stop (destroy), sequential%n", n);
        System.out.printf("%6s %12s %12s %8s %14s %10s %14s %10s%n", "round", "acp ms", "virsh ms", "ratio", "virsh-start ms", "ratio-ops",
                "library ms", "acp/lib");
        List<Double> ratios = new ArrayList<>();
        List<Double> opRatios = new ArrayList<>();
        List<Double> libraryRatios = new ArrayList<>();
        Connect library = new Connect(URI);
        try {
            for (int r = 1 - warmups; r <= rounds; r++) {
                String prefix = (r <= 0 ? "w" + -r : "r" + r) + "-";
                long acp = timeAcp(systems, spec, prefix, n);
                long virsh = timeVirsh(spec, prefix, n, dir);
                // The same virsh with an empty batch: its start-up and connect, which the ratio includes.
                long virshStart = timeVirsh(spec, prefix + "empty-", 0, dir);
                long alone = timeLibrary(library, spec, prefix, n);
                removeRound(systems, library, prefix, n);
                double ratio = (double) acp / virsh;
                double opRatio = (double) acp / Math.max(1, virsh - virshStart);
                double libraryRatio = (double) acp / alone;
                if (r > 0) {
                    ratios.add(ratio);
                    opRatios.add(opRatio);
                    libraryRatios.add(libraryRatio);
                }
                System.out.printf("%6s %12.1f %12.1f %8.2f %14.1f %10.2f %14.1f %10.2f%n", r <= 0 ? "warmup" : String.valueOf(r), acp / 1e6, virsh / 1e6,
                        ratio, virshStart / 1e6, opRatio, alone / 1e6, libraryRatio);
            }
        } finally {
            library.close();
        }
        ratios.sort(Double::compare);
        opRatios.sort(Double::compare);
        libraryRatios.sort(Double::compare);
        System.out.printf("median ratio acp/virsh over %d rounds: %.2f (against virsh's commands alone, without its start-up: %.2f; "
                + "against libvirt-java alone: %.2f)%n", ratios.size(), ratios.get(ratios.size() / 2), opRatios.get(opRatios.size() / 2),
                libraryRatios.get(libraryRatios.size() / 2));
        // One line per figure for scripts/bench: RESULT, name, value, unit.
        System.out.printf(java.util.Locale.ROOT, "RESULT hypervisor.ratio %.3f ratio%n", ratios.get(ratios.size() / 2));
        System.out.printf(java.util.Locale.ROOT, "RESULT hypervisor.ratio.commands %.3f ratio%n", opRatios.get(opRatios.size() / 2));
        System.out.printf(java.util.Locale.ROOT, "RESULT hypervisor.ratio.library %.3f ratio%n", libraryRatios.get(libraryRatios.size() / 2));
        service.stop().await().atMost(WAIT);
    }

    /**
     * Deletes a round's systems through ACP and undefines the library's domains, outside every
     * timing. libvirt's test driver keeps its domains for as long as this JVM runs (virsh's go with
     * its process), so without this the driver held 200 more defined domains after every round,
     * and the sample's and reconcile's list of running domains, which walks them all on the
     * hypervisor's thread, grew with the rounds: after 70 rounds, 14,000 domains and 12 ms a
     * sample, a cost of the benchmark's leftovers that neither virsh nor a node with 100 systems
     * has.
     */
    private static void removeRound(Systems systems, Connect library, String prefix, int n) throws LibvirtException {
        for (int i = 0; i < n; i++) {
            systems.delete(prefix + "acp-" + i).await().atMost(WAIT);
            Domain d = library.domainLookupByName(prefix + "lib-" + i);
            try {
                d.undefine();
            } finally {
                d.free();
            }
        }
    }

    /** The same domains through libvirt-java alone: define, start and destroy, each on the handle define returned. */
    private static long timeLibrary(Connect library, ObjectNode spec, String prefix, int n) throws LibvirtException {
        String[] xml = new String[n];
        for (int i = 0; i < n; i++) {
            xml[i] = DomainXml.of(SystemSpec.parse(prefix + "lib-" + i, spec), "test");
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Domain d = library.domainDefineXML(xml[i]);
            try {
                d.create();
                d.destroy();
            } finally {
                d.free();
            }
        }
        return System.nanoTime() - t0;
    }

    private static long timeAcp(Systems systems, ObjectNode spec, String prefix, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            systems.create(prefix + "acp-" + i, spec).await().atMost(WAIT);
            systems.stop(prefix + "acp-" + i).await().atMost(WAIT);
        }
        return System.nanoTime() - t0;
    }

    /** One virsh process for the whole batch, timed from launch to exit. */
    private static long timeVirsh(ObjectNode spec, String prefix, int n, Path dir) throws IOException, InterruptedException {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String name = prefix + "virsh-" + i;
            Path xml = dir.resolve(name + ".xml");
            Files.writeString(xml, DomainXml.of(SystemSpec.parse(name, spec), "test"), StandardCharsets.UTF_8);
            batch.append("define ").append(xml).append('\n')
                    .append("start ").append(name).append('\n')
                    .append("destroy ").append(name).append('\n');
        }
        Path commands = dir.resolve(prefix + "commands");
        Files.writeString(commands, batch, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        Process virsh = new ProcessBuilder("virsh", "-q", "-c", URI)
                .redirectInput(commands.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!virsh.waitFor(60, TimeUnit.SECONDS)) {
            virsh.destroyForcibly();
            throw new IllegalStateException("virsh batch did not finish in 60 s");
        }
        long elapsed = System.nanoTime() - t0;
        if (virsh.exitValue() != 0) {
            throw new IllegalStateException("virsh batch failed with exit code " + virsh.exitValue());
        }
        return elapsed;
    }

    /** Makes bridge {@code name} (up, no address: nothing is routed through it) unless it exists; whether it made it. */
    static boolean ensureBridge(String name) throws IOException, InterruptedException {
        if (Files.exists(Path.of("/sys/class/net", name))) {
            return false;
        }
        for (List<String> cmd : List.of(List.of("ip", "link", "add", name, "type", "bridge"), List.of("ip", "link", "set", name, "up"))) {
            if (new ProcessBuilder(cmd).inheritIO().start().waitFor() != 0) {
                throw new IllegalStateException("failed: " + String.join(" ", cmd));
            }
        }
        return true;
    }

    /** The spec of every benchmark's systems: one vCPU, 128 MiB, one disk, one NIC. */
    static ObjectNode spec() {
        ObjectNode spec = Json.object().put("vcpus", 1).put("memory", 128);
        spec.putArray("disks").addObject().put("path", "/var/lib/acp/bench.img");
        spec.putArray("interfaces").addObject().put("bridge", "acpbr0");
        return spec;
    }

    /**
     * Runs {@code op} {@code n} times (given 0 to n-1), one due every {@code gapMs}; each one's
     * latency in ns, counted from when it was due, not from when the one before let it start: the
     * caller is sequential, and counted from their start every operation due during a long wait but
     * the first would look fast.
     */
    static long[] onSchedule(int n, int gapMs, java.util.function.IntConsumer op) {
        long[] took = new long[n];
        long due = System.nanoTime();
        for (int i = 0; i < n; i++) {
            java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            op.accept(i);
            took[i] = System.nanoTime() - due;
            due += gapMs * 1_000_000L;
        }
        return took;
    }

    /** How long {@code work} takes, the median of five runs of it one after the other, in ns. */
    static long medianOf5(Runnable work) {
        long[] took = new long[5];
        for (int i = 0; i < took.length; i++) {
            long t0 = System.nanoTime();
            work.run();
            took[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(took);
        return took[2];
    }

    /** Creates and starts {@code n} systems of {@link #spec()}, named {@code prefix} and a number. */
    static void createRunning(Systems systems, String prefix, int n) {
        ObjectNode spec = spec();
        for (int i = 0; i < n; i++) {
            systems.create(prefix + i, spec).await().atMost(WAIT);
        }
    }

    /** ACP's hypervisor service of node "bench" on test:///default over {@code cdb}, started, its stats sampled every {@code statsInterval}. */
    static HypervisorService startService(Duration statsInterval, Cdb cdb) {
        return startService(statsInterval, Duration.ofSeconds(10), cdb);
    }

    /** The same, reconciling every {@code reconcileInterval}. */
    static HypervisorService startService(Duration statsInterval, Duration reconcileInterval, Cdb cdb) {
        return startService(URI, statsInterval, reconcileInterval, cdb);
    }

    /** The same on libvirt at {@code uri}. */
    static HypervisorService startService(String uri, Duration statsInterval, Duration reconcileInterval, Cdb cdb) {
        HypervisorService service = new HypervisorService(config(uri, statsInterval, reconcileInterval), "bench", () -> cdb,
                () -> new LibvirtBackend(uri, "bench"));
        service.start(new ServiceContext() {
            @Override
            public String nodeId() {
                return "bench";
            }

            @Override
            public void failed(Throwable cause) {
            }
        }).await().atMost(WAIT);
        return service;
    }

    /** The hypervisor's settings for a benchmark on test:///default, with stats sampled every {@code statsInterval}. */
    static HypervisorConfig config(Duration statsInterval) {
        return config(statsInterval, Duration.ofSeconds(10));
    }

    /** The same, reconciling every {@code reconcileInterval}. */
    static HypervisorConfig config(Duration statsInterval, Duration reconcileInterval) {
        return config(URI, statsInterval, reconcileInterval);
    }

    /** The same on libvirt at {@code uri}. */
    static HypervisorConfig config(String uri, Duration statsInterval, Duration reconcileInterval) {
        return new HypervisorConfig() {
            @Override
            public String uri() {
                return uri;
            }

            @Override
            public Duration reconcileInterval() {
                return reconcileInterval;
            }

            @Override
            public Duration statsInterval() {
                return statsInterval;
            }

            @Override
            public java.util.Optional<String> migrationUri() {
                return java.util.Optional.empty();
            }

            @Override
            public String accelerator() {
                return "auto";
            }

            @Override
            public boolean migrationSharedStorage() {
                return false;
            }

            @Override
            public java.util.Optional<java.time.Duration> migrationMaxDowntime() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<java.util.List<java.nio.file.Path>> allowedDevicePaths() {
                return java.util.Optional.of(java.util.List.of(java.nio.file.Path.of("/var/lib/acp")));
            }

            @Override
            public java.util.Optional<java.util.List<String>> allowedBridges() {
                return java.util.Optional.of(java.util.List.of("acpbr0"));
            }

            @Override
            public Duration shutdownTimeout() {
                return Duration.ofSeconds(30);
            }
        };
    }

    /** An in-memory CDB: the benchmark measures the hypervisor path, not the journal's fsync. */
    private static final class BenchCdb {
        static final Cdb CDB = Cdb.inMemory("bench");
    }
}
