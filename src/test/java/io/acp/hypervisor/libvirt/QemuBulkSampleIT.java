package io.acp.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.hypervisor.DomainSample;
import io.acp.hypervisor.RunningSample;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The stats sample of running QEMU guests a handful at a time: their interfaces' counters in one
 * bulk call ({@code virDomainListGetStats}) instead of one live-XML read and one call per interface
 * per guest, and their monitor reads (balloon, disks) started together, so hung VMMs cost the sample
 * one bound, not one each. Three real guests (KVM where the host has it; no disk, no display, no
 * operating system), each with one interface, a macvtap in bridge mode on one end of a veth pair
 * this test makes; broadcast datagrams sent from an address on the pair's other end reach every
 * macvtap, which counts them as they arrive (a tap counts a frame only once its guest's driver
 * takes it, and these guests have none). Nothing leaves the machine. Needs libvirtd on qemu:///system (scripts/libvirtd-up; scripts/test starts it).
 */
class QemuBulkSampleIT {

    private static final String URI = "qemu:///system";
    private static final int GUESTS = 3;
    private static final int DATAGRAMS = 20;
    private static final int PAYLOAD = 200;

    private final long pid = ProcessHandle.current().pid();
    /** The pair's end the guests' macvtaps sit on; the host sends from its peer. */
    private final String lower = "acpbk" + pid % 100000;
    private final String sender = "acpbs" + pid % 100000;
    /** A host-only subnet for this run's pair, from the test range that no route leaves by. */
    private final String subnet = "10.98." + pid % 250 + ".";
    private final List<String> names = new ArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private Connect qemu;
    private LibvirtBackend backend;

    @BeforeEach
    void start() throws Exception {
        assertThat(probe("virsh", "-c", URI, "version")).as("libvirtd must answer on %s (scripts/libvirtd-up starts it; scripts/test runs it)", URI)
                .isNotNull();
        run("ip", "link", "add", lower, "type", "veth", "peer", "name", sender);
        for (String end : List.of(lower, sender)) {
            // no neighbour discovery of its own
            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/net/ipv6/conf", end, "disable_ipv6"), "1");
            run("ip", "link", "set", end, "up");
        }
        run("ip", "addr", "add", subnet + "1/24", "dev", sender);
        qemu = new Connect(URI);
        for (int i = 0; i < GUESTS; i++) {
            String name = "acp-bulk-it-" + pid + "-" + i;
            names.add(name);
            // no disk: SeaBIOS finds nothing to boot and waits (idle, without a display); no option ROM, so no network boot
            qemu.domainCreateXML("<domain type='" + io.acp.hypervisor.DomainXml.typeFor(URI) + "'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                    + "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>"
                    + "<interface type='direct'><source dev='" + lower + "' mode='bridge'/><model type='virtio'/><rom bar='off'/></interface>"
                    + "</devices></domain>", 0).free();
        }
        backend = new LibvirtBackend(URI, "bulk-it", this::countingCalls);
        backend.connect((name, kind) -> {
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        for (String name : names) {
            probe("virsh", "-c", URI, "destroy", name);
        }
        if (qemu != null) {
            qemu.close();
        }
        probe("ip", "link", "del", lower); // and its peer
    }

    @Test
    void theInterfacesOfRunningGuestsAreReadInOneCallAndMatchWhatLibvirtCountsPerInterface() throws Exception {
        broadcast(); // every guest's macvtap receives these: its counters are above zero
        Map<String, DomainSample> sampled = sample(names);

        assertThat(sampled).as("guests sampled as running").containsOnlyKeys(names);
        assertThat(calls.getOrDefault("virDomainListGetStats", new AtomicInteger()).get()).as("bulk calls for %d guests", GUESTS).isEqualTo(1);
        assertThat(calls.getOrDefault("virDomainInterfaceStats", new AtomicInteger()).get()).as("calls per interface").isZero();
        assertThat(calls.getOrDefault("virDomainGetXMLDesc", new AtomicInteger()).get()).as("live XML reads").isZero();
        for (String name : names) {
            Map<String, long[]> nics = sampled.get(name).interfaces();
            assertThat(nics).as("interfaces of %s", name).hasSize(1);
            String tap = nics.keySet().iterator().next();
            long[] bulk = nics.get(tap);
            Domain d = qemu.domainLookupByName(name);
            try {
                // read after the sample: the same counter, so at least as high
                long rx = d.interfaceStats(tap).rx_bytes;
                assertThat(bulk[0]).as("bytes %s received, read in bulk, against libvirt's per-interface read after it", name)
                        .isGreaterThanOrEqualTo((long) DATAGRAMS * PAYLOAD).isLessThanOrEqualTo(rx);
            } finally {
                d.free();
            }
        }

        long before = sampled.get(names.get(0)).interfaces().values().iterator().next()[0];
        broadcast();
        Map<String, DomainSample> again = sample(List.of(names.get(0)));
        assertThat(again).as("only the wanted guest").containsOnlyKeys(names.get(0));
        assertThat(again.get(names.get(0)).interfaces().values().iterator().next()[0]).as("bytes received after more datagrams")
                .isGreaterThanOrEqualTo(before + (long) DATAGRAMS * PAYLOAD);
    }

    /**
     * A guest with a disk: its monitor read asks for the disk's counters only, and its balloon's
     * figures come from its status and its VMM's /proc entry; they are what libvirt's balloon query
     * (through the monitor) reports. A guest without a disk still has its balloon read through the
     * monitor, so its read asks the VMM too.
     */
    @Test
    void aGuestWithADiskHasItsBalloonFiguresWithoutTheMonitorAndTheyAreLibvirts() throws Exception {
        java.nio.file.Path image = java.nio.file.Files.createTempFile("acp-bulk-it-", ".img");
        String withDisk = "acp-bulk-it-" + pid + "-disk";
        try {
            java.nio.file.Files.write(image, new byte[1 << 20]);
            names.add(withDisk); // destroyed after the test with the others
            qemu.domainCreateXML("<domain type='" + io.acp.hypervisor.DomainXml.typeFor(URI) + "'><name>" + withDisk + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                    + "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>"
                    + "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + image + "'/><target dev='vda' bus='virtio'/><readonly/></disk>"
                    + "</devices></domain>", 0).free();
            String diskless = names.get(0);

            Map<String, DomainSample> sampled = new HashMap<>();
            try (RunningSample s = backend.sampleRunning(List.of(withDisk, diskless), name -> name.equals(withDisk) ? List.of("vda") : List.of())) {
                while (s.readSome(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), sampled::put)) {
                    // next part
                }
            }

            assertThat(sampled).containsOnlyKeys(withDisk, diskless);
            DomainSample disk = sampled.get(withDisk);
            assertThat(disk.monitorAnswers()).isTrue();
            assertThat(disk.blocks()).as("the disk's counters, read through the monitor").containsOnlyKeys("vda");
            Map<String, Long> libvirts = balloonOf(withDisk);
            assertThat(disk.memory()).as("balloon figures of %s", withDisk).containsOnlyKeys("actual", "rss");
            assertThat(disk.memory().get("actual")).as("the balloon's size, against libvirt's balloon query").isEqualTo(libvirts.get("actual"))
                    .isEqualTo(disk.status().memoryKiB());
            // the same counter read a moment apart: an idle guest's VMM barely moves
            assertThat(disk.memory().get("rss")).as("the VMM's resident memory, against libvirt's").isBetween(libvirts.get("rss") * 9 / 10, libvirts.get("rss") * 11 / 10);
            assertThat(sampled.get(diskless).memory()).as("a guest without a disk: its balloon through the monitor, as libvirt reports it")
                    .containsEntry("actual", balloonOf(diskless).get("actual")).containsKey("rss");
        } finally {
            probe("virsh", "-c", URI, "destroy", withDisk);
            java.nio.file.Files.deleteIfExists(image);
        }
    }

    /** libvirt's own balloon query of a running guest (through its monitor): actual and rss in KiB. */
    private Map<String, Long> balloonOf(String name) throws Exception {
        Domain d = qemu.domainLookupByName(name);
        try {
            Map<String, Long> out = new HashMap<>();
            for (org.libvirt.MemoryStatistic m : d.memoryStats(10)) {
                if (m.getTag() == 6) {
                    out.put("actual", m.getValue());
                } else if (m.getTag() == 7) {
                    out.put("rss", m.getValue());
                }
            }
            return out;
        } finally {
            d.free();
        }
    }

    /**
     * Three guests whose VMMs hang (SIGSTOP on their qemu: no monitor answers, as a qemu stuck on
     * its storage): each one's monitor read is given up at the bound from its start, and they
     * started together, so the sample waits about one bound; one after another it waited three.
     * Their status and interfaces, which need no monitor, are still read.
     */
    @Test
    void theMonitorReadsOfHungGuestsAreWaitedForTogether() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String name : names) {
            pids.add(QemuPidFiles.vmmPid(URI, name).orElseThrow(() -> new AssertionError("no qemu pid file of " + name)));
        }
        assertThat(sample(names)).as("a sample while the VMMs answer").containsOnlyKeys(names)
                .allSatisfy((name, s) -> assertThat(s.monitorAnswers()).as("%s answers", name).isTrue());
        pids.forEach(pid -> signal("STOP", pid));
        try {
            long t0 = System.nanoTime();
            Map<String, DomainSample> sampled = sample(names);
            java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - t0);

            assertThat(sampled).as("guests sampled (status and interfaces need no monitor)").containsOnlyKeys(names)
                    .allSatisfy((name, s) -> {
                        assertThat(s.monitorAnswers()).as("%s's monitor answers", name).isFalse();
                        assertThat(s.memory()).as("%s's balloon, left out", name).isEmpty();
                        assertThat(s.interfaces()).as("%s's interfaces", name).hasSize(1);
                    });
            assertThat(took).as("a sample of %d hung VMMs, each monitor read bounded by %s", GUESTS, LibvirtBackend.MONITOR_READ_BOUND)
                    .isLessThan(LibvirtBackend.MONITOR_READ_BOUND.multipliedBy(GUESTS));
        } finally {
            pids.forEach(pid -> signal("CONT", pid));
        }
    }

    private static void signal(String name, long pid) {
        try {
            assertThat(probe("kill", "-" + name, Long.toString(pid))).as("kill -%s %d", name, pid).isNotNull();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One whole sample of the running domains named {@code wanted}, part after part. */
    private Map<String, DomainSample> sample(List<String> wanted) {
        Map<String, DomainSample> out = new HashMap<>();
        try (RunningSample s = backend.sampleRunning(wanted, name -> List.of())) {
            while (s.readSome(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), out::put)) {
                // next part
            }
        }
        return out;
    }

    /** {@link #DATAGRAMS} broadcast datagrams from the sending end's address, which the other end hands every macvtap on it. */
    private void broadcast() throws Exception {
        byte[] payload = "x".repeat(PAYLOAD).getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(subnet + "1"), 0))) {
            socket.setBroadcast(true);
            for (int i = 0; i < DATAGRAMS; i++) {
                socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(subnet + "255"), 9));
            }
        }
        Thread.sleep(200); // through the pair into the macvtaps' counters
    }

    /** libvirt's calls of the sample, each call counted by name. */
    private SampleCalls countingCalls() {
        SampleCalls real = SampleCalls.load();
        return (SampleCalls) Proxy.newProxyInstance(SampleCalls.class.getClassLoader(), new Class<?>[] {SampleCalls.class}, (proxy, method, args) -> {
            calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
            try {
                return method.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        String out = probe(cmd);
        if (out == null) {
            throw new IllegalStateException("failed: " + String.join(" ", cmd));
        }
    }

    /** Runs {@code cmd}: what it printed, or null when it failed. */
    private static String probe(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    }
}
