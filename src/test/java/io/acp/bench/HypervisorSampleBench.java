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
 * sample of {@code running} running and {@code stopped} stopped systems (real libvirt, in-memory
 * CDB; status, block, interface and balloon counters read, published to the CDB) against
 * libvirt-java alone reading the same counters of the same domains in this JVM, the way ACP did
 * before its bulk read: one listing of the running domains, then on each listed handle its info,
 * its disk's block stats, its live XML for the interfaces' names, their stats
 * and the balloon's. The service's own periodic sample is set to once an hour, so only the
 * measured ones run.
 *
 * <p>On {@code test:///default} (the default) the systems have a disk and an interface that need
 * not exist. On {@code qemu:///system} they are real KVM guests (64 MiB, one vcpu) that boot a
 * read-only disk whose boot sector halts the vCPU ({@code cli; hlt}), so they idle as a quiet
 * guest does (a guest with nothing to boot spins its vCPU in the firmware while it has a display:
 * a core each, which slows every monitor read), with one interface each on bridge acpbr0; the
 * benchmark makes the bridge and the disk if missing and removes what it made; every guest is
 * deleted at the end. Measured after a second per guest (at least 20). There it also prints
 * libvirtd's CPU time per sample (from /proc), where most of a sample's work is.
 *
 * <p>Usage: {@code HypervisorSampleBench [running=100] [stopped=0] [samples=200] [warm-up samples=100] [uri=test:///default]}.
 */
public final class HypervisorSampleBench {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern INTERFACE_TARGET = Pattern.compile("<interface\\b(?:(?!</interface>)[\\s\\S])*?<target dev='([^']+)'");

    private HypervisorSampleBench() {
    }

    public static void main(String[] args) throws Exception {
        int running = BenchArgs.whole(args, 0, "running", 100);
        int stopped = BenchArgs.whole(args, 1, "stopped", 0);
        int samples = BenchArgs.whole(args, 2, "samples", 200);
        int warmups = BenchArgs.whole(args, 3, "warm-up samples", 100);
        String uri = args.length > 4 ? args[4] : "test:///default";
        boolean qemu = uri.startsWith("qemu");
        boolean madeBridge = qemu && HypervisorBench.ensureBridge("acpbr0");
        boolean madeDisk = qemu && !java.nio.file.Files.exists(HALTING_DISK);
        try {
            if (madeDisk) {
                writeHaltingDisk();
            }
            run(uri, running, stopped, samples, warmups);
        } finally {
            if (madeBridge) {
                new ProcessBuilder("ip", "link", "del", "acpbr0").inheritIO().start().waitFor();
            }
            if (madeDisk) {
                java.nio.file.Files.deleteIfExists(HALTING_DISK);
            }
        }
        System.exit(0); // libvirt's event loop thread is a daemon, but be sure
    }

    private static void run(String uri, int running, int stopped, int samples, int warmups) throws Exception {
        boolean qemu = uri.startsWith("qemu");
        ObjectNode spec = qemu ? guestSpec() : HypervisorBench.spec();
        HypervisorService service = HypervisorBench.startService(uri, Duration.ofHours(1), Duration.ofHours(1), Cdb.inMemory("bench"));
        Systems systems = service.systems();
        String prefix = "s" + ProcessHandle.current().pid() + "-";
        List<String> made = new ArrayList<>();
        try {
            for (int i = 0; i < running; i++) {
                systems.create(prefix + "run-" + i, spec).await().atMost(WAIT);
                made.add(prefix + "run-" + i);
            }
            for (int i = 0; i < stopped; i++) {
                systems.create(prefix + "stop-" + i, spec, false, NodeCalls.none("bench")).await().atMost(WAIT);
                made.add(prefix + "stop-" + i);
            }
            int sampled = service.sampleStatsNow().await().atMost(WAIT);
            if (sampled != running) {
                throw new IllegalStateException("a sample read " + sampled + " systems, " + running + " run");
            }
            if (qemu) {
                // a guest's firmware takes a few seconds of CPU to boot the halting disk: measure the idle guests
                Thread.sleep(Math.max(20_000, running * 1_000L));
            }
            System.out.printf("stats sample of %d running and %d stopped systems on %s; %d samples after %d%n", running, stopped, uri, samples, warmups);
            measure(service, uri, qemu, running, samples, warmups);
        } finally {
            for (String id : made) {
                service.systems().delete(id, true).await().atMost(WAIT);
            }
            service.stop().await().atMost(WAIT);
        }
    }

    private static void measure(HypervisorService service, String uri, boolean qemu, int running, int samples, int warmups) throws Exception {
        Connect library = new Connect(uri);
        try {
            for (int i = 0; i < warmups; i++) {
                service.sampleStatsNow().await().atMost(WAIT);
                libraryAlone(library);
            }
            // alternating, so both see the same machine
            long acp = 0;
            long alone = 0;
            long acpDaemon = 0;
            long aloneDaemon = 0;
            long daemon = qemu ? libvirtdPid() : -1;
            for (int i = 0; i < samples; i++) {
                long c0 = daemonCpuTicks(daemon);
                long t0 = System.nanoTime();
                service.sampleStatsNow().await().atMost(WAIT);
                long t1 = System.nanoTime();
                long c1 = daemonCpuTicks(daemon);
                long t2 = System.nanoTime();
                libraryAlone(library);
                long t3 = System.nanoTime();
                long c2 = daemonCpuTicks(daemon);
                acp += t1 - t0;
                alone += t3 - t2;
                acpDaemon += c1 - c0;
                aloneDaemon += c2 - c1;
            }
            double acpUs = acp / 1e3 / samples / running;
            double libraryUs = alone / 1e3 / samples / running;
            System.out.printf("ACP: %.1f us per running system per sample (%.2f ms per sample); libvirt-java alone: %.1f us (%.2f ms); ratio %.2f%n",
                    acpUs, acp / 1e6 / samples, libraryUs, alone / 1e6 / samples, acpUs / libraryUs);
            // apart by driver: scripts/bench tabulates the test driver's and real guests' samples side by side
            String metric = qemu ? "hypervisor.qemuSample" : "hypervisor.sample";
            System.out.printf(Locale.ROOT, "RESULT %s.usPerSystem %.1f us%n", metric, acpUs);
            System.out.printf(Locale.ROOT, "RESULT %s.library.usPerSystem %.1f us%n", metric, libraryUs);
            if (qemu) {
                // clock ticks of 10 ms: summed over all samples, then per system
                double acpDaemonUs = acpDaemon * 10_000.0 / samples / running;
                double aloneDaemonUs = aloneDaemon * 10_000.0 / samples / running;
                System.out.printf("libvirtd's CPU: %.1f us per running system per sample for ACP's, %.1f for libvirt-java alone%n", acpDaemonUs, aloneDaemonUs);
                System.out.printf(Locale.ROOT, "RESULT %s.libvirtdUsPerSystem %.1f us%n", metric, acpDaemonUs);
                System.out.printf(Locale.ROOT, "RESULT %s.library.libvirtdUsPerSystem %.1f us%n", metric, aloneDaemonUs);
            }
        } finally {
            library.close();
        }
    }

    /** A real guest that boots {@link #HALTING_DISK} (read-only, so every guest can): 64 MiB, one interface on bridge acpbr0. */
    private static ObjectNode guestSpec() {
        ObjectNode spec = io.acp.model.Json.object().put("vcpus", 1).put("memory", 64);
        spec.putArray("disks").addObject().put("path", HALTING_DISK.toString()).put("readonly", true);
        spec.putArray("interfaces").addObject().put("bridge", "acpbr0");
        return spec;
    }

    /** Under the benchmark's allowed disk root. */
    private static final java.nio.file.Path HALTING_DISK = java.nio.file.Path.of("/var/lib/acp/acp-bench-halt.img");

    /** A 1 MiB raw disk whose boot sector is {@code cli; hlt; jmp $-1} and the boot signature: the firmware boots it and the vCPU halts. */
    private static void writeHaltingDisk() throws java.io.IOException {
        byte[] disk = new byte[1 << 20];
        byte[] code = {(byte) 0xFA, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD};
        System.arraycopy(code, 0, disk, 0, code.length);
        disk[510] = 0x55;
        disk[511] = (byte) 0xAA;
        java.nio.file.Files.createDirectories(HALTING_DISK.getParent());
        java.nio.file.Files.write(HALTING_DISK, disk);
    }

    /** The pid of the host's libvirtd, looked for once: a scan of every process takes about 2 ms. */
    private static long libvirtdPid() {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/libvirtd")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElseThrow(() -> new IllegalStateException("no libvirtd running"));
    }

    /** libvirtd's CPU time in clock ticks, or 0 when not measured ({@code pid} -1). */
    private static long daemonCpuTicks(long pid) {
        return pid < 0 ? 0 : WebApiFanoutBench.cpuTicks(pid);
    }

    /** The same counters of every running domain through libvirt-java alone, each on its listed handle; how many were read. */
    private static int libraryAlone(Connect c) throws LibvirtException {
        List<Domain> listed = List.of(c.listAllDomains(Connect.ConnectListAllDomainsFlags.CONNECT_LIST_DOMAINS_ACTIVE));
        List<long[]> done = new ArrayList<>(listed.size());
        for (Domain d : listed) {
            try {
                d.getName();
                d.getInfo();
                long read = d.blockStats("vda").rd_bytes;
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
                done.add(new long[] {read, rx});
            } finally {
                d.free();
            }
        }
        return done.size();
    }
}
