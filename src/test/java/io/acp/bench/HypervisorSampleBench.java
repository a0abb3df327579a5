package io.acp.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.Systems;
import io.acp.node.NodeCalls;
import io.acp.testing.BenchArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The hypervisor's stats sample, what a node does every second for every system it runs: ACP's
 * sample of {@code running} running and {@code stopped} stopped systems (real libvirt on
 * test:///default, in-memory CDB; status, block, interface and balloon counters read, published
 * to the CDB) against libvirt-java alone reading the same counters of the same domains in this
 * JVM: one listing of the running domains, then on each listed handle its info, its disk's block
 * stats, its live XML for the interfaces' names, their stats and the balloon's. The service's own
 * periodic sample is set to once an hour, so only the measured ones run.
 *
 * <p>Usage: {@code HypervisorSampleBench [running=100] [stopped=0] [samples=200] [warm-up samples=100]}.
 */
public final class HypervisorSampleBench {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String URI = "test:///default";
    private static final Pattern INTERFACE_TARGET = Pattern.compile("<interface\\b(?:(?!</interface>)[\\s\\S])*?<target dev='([^']+)'");

    private HypervisorSampleBench() {
    }

    public static void main(String[] args) throws Exception {
        int running = BenchArgs.whole(args, 0, "running", 100);
        int stopped = BenchArgs.whole(args, 1, "stopped", 0);
        int samples = BenchArgs.whole(args, 2, "samples", 200);
        int warmups = BenchArgs.whole(args, 3, "warm-up samples", 100);
        run(running, stopped, samples, warmups);
        System.exit(0); // libvirt's event loop thread is a daemon, but be sure
    }

    private static void run(int running, int stopped, int samples, int warmups) throws Exception {
        ObjectNode spec = HypervisorBench.spec();
        HypervisorService service = HypervisorBench.startService(Duration.ofHours(1), Cdb.inMemory("bench"));
        Systems systems = service.systems();
        String prefix = "s" + ProcessHandle.current().pid() + "-";
        HypervisorBench.createRunning(systems, prefix + "run-", running);
        for (int i = 0; i < stopped; i++) {
            systems.create(prefix + "stop-" + i, spec, false, NodeCalls.none("bench")).await().atMost(WAIT);
        }
        int sampled = service.sampleStatsNow().await().atMost(WAIT);
        if (sampled != running) {
            throw new IllegalStateException("a sample read " + sampled + " systems, " + running + " run");
        }
        System.out.printf("stats sample of %d running and %d stopped systems on %s; %d samples after %d%n", running, stopped, URI, samples, warmups);
        Connect library = new Connect(URI);
        try {
            for (int i = 0; i < warmups; i++) {
                service.sampleStatsNow().await().atMost(WAIT);
                libraryAlone(library);
            }
            // alternating, so both see the same machine
            long acp = 0;
            long alone = 0;
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                service.sampleStatsNow().await().atMost(WAIT);
                long t1 = System.nanoTime();
                libraryAlone(library);
                acp += t1 - t0;
                alone += System.nanoTime() - t1;
            }
            double acpUs = acp / 1e3 / samples / running;
            double libraryUs = alone / 1e3 / samples / running;
            System.out.printf("ACP: %.1f us per running system per sample (%.2f ms per sample); libvirt-java alone: %.1f us (%.2f ms); ratio %.2f%n",
                    acpUs, acp / 1e6 / samples, libraryUs, alone / 1e6 / samples, acpUs / libraryUs);
            System.out.printf(Locale.ROOT, "RESULT hypervisor.sample.usPerSystem %.1f us%n", acpUs);
            System.out.printf(Locale.ROOT, "RESULT hypervisor.sample.library.usPerSystem %.1f us%n", libraryUs);
        } finally {
            library.close();
        }
        service.stop().await().atMost(WAIT);
    }

    /** The same counters of every running domain through libvirt-java alone, each on its listed handle; how many were read. */
    private static int libraryAlone(Connect c) throws LibvirtException {
        List<Domain> listed = List.of(c.listAllDomains(Connect.ConnectListAllDomainsFlags.CONNECT_LIST_DOMAINS_ACTIVE));
        List<long[]> read = new ArrayList<>(listed.size());
        for (Domain d : listed) {
            try {
                d.getName();
                d.getInfo();
                var block = d.blockStats("vda");
                long rx = 0;
                Matcher m = INTERFACE_TARGET.matcher(d.getXMLDesc(0));
                while (m.find()) {
                    rx += d.interfaceStats(m.group(1)).rx_bytes;
                }
                try {
                    d.memoryStats(10);
                } catch (LibvirtException e) {
                    // the test driver reports no balloon, as in ACP's sample
                }
                read.add(new long[] {block.rd_bytes, rx});
            } finally {
                d.free();
            }
        }
        return read.size();
    }
}
