package io.acp.hypervisor.libvirt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;

/** A domain's counters as libvirt reports them; what the driver does not report is left out. */
final class DomainStats {

    private static final Pattern INTERFACE_TARGET = Pattern.compile("<interface\\b(?:(?!</interface>)[\\s\\S])*?<target dev='([^']+)'");

    private DomainStats() {
    }

    /** Read and write bytes per device of {@code devices}. */
    static Map<String, long[]> block(Domain d, List<String> devices) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String dev : devices) {
            try {
                DomainBlockStats s = d.blockStats(dev);
                out.put(dev, new long[] {s.rd_bytes, s.wr_bytes});
            } catch (LibvirtException e) {
                // The driver may not report this device (no such file yet): leave it out.
            }
        }
        return out;
    }

    /** Received and sent bytes per interface, by its host-side device name. */
    static Map<String, long[]> interfaces(Domain d) throws LibvirtException {
        Map<String, long[]> out = new LinkedHashMap<>();
        // The host-side device names are chosen by libvirt at start: read them from the live XML.
        Matcher m = INTERFACE_TARGET.matcher(d.getXMLDesc(0));
        while (m.find()) {
            try {
                DomainInterfaceStats s = d.interfaceStats(m.group(1));
                out.put(m.group(1), new long[] {s.rx_bytes, s.tx_bytes});
            } catch (LibvirtException e) {
                // Not reported for this device type: leave it out.
            }
        }
        return out;
    }

    /** The balloon figures in KiB: actual, rss, unused, usable. */
    static Map<String, Long> memory(Domain d) {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (MemoryStatistic m : d.memoryStats(10)) {
                String key = switch (m.getTag()) { // virDomainMemoryStatTags
                    case 4 -> "unused";
                    case 6 -> "actual";
                    case 7 -> "rss";
                    case 8 -> "usable";
                    default -> null;
                };
                if (key != null) {
                    out.put(key, m.getValue());
                }
            }
        } catch (LibvirtException e) {
            // The driver reports no memory stats (the test driver): leave them out.
        }
        return out;
    }
}
