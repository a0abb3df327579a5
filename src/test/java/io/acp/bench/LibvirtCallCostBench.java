package io.acp.bench;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.acp.testing.BenchArgs;
import java.util.Locale;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;

/**
 * What each libvirt call of the hypervisor's stats sample costs on a real driver, per call, on one
 * guest: a transient QEMU guest (64 MiB, no disk, one virtio NIC on a tap libvirt makes, nothing
 * attached to it), paused so its vCPU spins on no core, then each of the calls the sample makes on
 * the domain's handle {@code calls} times ({@code virDomainGetInfo}, the live XML, the NIC's
 * counters by device and by MAC, the balloon's), and libvirt's bulk call
 * ({@code virConnectGetAllDomainStats}, which libvirt-java does not bind: called through JNA here)
 * for each group of counters alone and for the sample's groups together. The guest is destroyed
 * at the end, whatever happens.
 *
 * <p>Usage: {@code LibvirtCallCostBench [uri=qemu:///system] [calls=1000]} (needs libvirtd with
 * the QEMU driver: scripts/libvirtd-up).
 */
public final class LibvirtCallCostBench {

    private static final String MAC = "52:54:00:ac:be:01";
    /** virDomainStatsTypes: state, cpu-total, balloon, interface, block. */
    private static final int[] GROUPS = {1, 2, 4, 16, 32};
    private static final String[] GROUP_NAMES = {"state", "cpu-total", "balloon", "interface", "block"};
    /** VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | _NOWAIT. */
    private static final int BULK_FLAGS = 1 | 1 << 29;

    private LibvirtCallCostBench() {
    }

    /** A connection that hands out its pointer, for the one call libvirt-java does not bind. */
    private static final class RawConnect extends Connect {
        RawConnect(String uri) throws LibvirtException {
            super(uri);
        }

        ConnectionPointer pointer() {
            return vcp;
        }
    }

    private interface Call {
        void run() throws LibvirtException;
    }

    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 ? args[0] : "qemu:///system";
        int calls = BenchArgs.whole(args, 1, "calls", 1000);
        RawConnect c = new RawConnect(uri);
        String name = "acp-callcost-" + ProcessHandle.current().pid();
        String type = new java.io.File("/dev/kvm").exists() ? "kvm" : "qemu";
        Domain d = c.domainCreateXML("<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64'>hvm</type></os><devices><interface type='ethernet'><mac address='" + MAC + "'/>"
                + "<model type='virtio'/><rom bar='off'/></interface><memballoon model='virtio'/></devices></domain>", 0);
        try {
            d.suspend();
            String dev = interfaceDevice(d.getXMLDesc(0));
            System.out.printf("libvirt calls on one paused %s guest at %s, %d calls each, µs per call%n", type, uri, calls);
            time("virDomainGetInfo", calls, d::getInfo);
            time("virDomainGetXMLDesc", calls, () -> d.getXMLDesc(0));
            time("virDomainInterfaceStats (device)", calls, () -> d.interfaceStats(dev));
            time("virDomainInterfaceStats (MAC)", calls, () -> d.interfaceStats(MAC));
            time("virDomainMemoryStats", calls, () -> d.memoryStats(10));
            NativeLibrary virt = NativeLibrary.getInstance("virt");
            Function all = virt.getFunction("virConnectGetAllDomainStats");
            Function free = virt.getFunction("virDomainStatsRecordListFree");
            int together = 0;
            for (int g = 0; g < GROUPS.length; g++) {
                int group = GROUPS[g];
                together |= group;
                time("virConnectGetAllDomainStats " + GROUP_NAMES[g], calls, () -> bulk(c, all, free, group));
            }
            int sampleGroups = together;
            time("virConnectGetAllDomainStats all five", calls, () -> bulk(c, all, free, sampleGroups));
        } finally {
            d.destroy();
            d.free();
            c.close();
        }
    }

    /** One bulk call for {@code groups} of every active domain; its records freed. */
    private static void bulk(RawConnect c, Function all, Function free, int groups) {
        PointerByReference records = new PointerByReference();
        int n = all.invokeInt(new Object[] {c.pointer(), groups, records, BULK_FLAGS});
        if (n < 0) {
            throw new IllegalStateException("virConnectGetAllDomainStats failed");
        }
        Pointer list = records.getValue();
        if (list != null) {
            free.invokeVoid(new Object[] {list});
        }
    }

    private static String interfaceDevice(String xml) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<target dev='([^']+)'").matcher(xml);
        if (!m.find()) {
            throw new IllegalStateException("the guest's live XML names no interface device");
        }
        return m.group(1);
    }

    private static void time(String what, int calls, Call call) throws LibvirtException {
        for (int i = 0; i < calls / 4; i++) {
            call.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        double us = (System.nanoTime() - t0) / 1e3 / calls;
        System.out.printf(Locale.ROOT, "%-45s %8.1f%n", what, us);
    }
}
