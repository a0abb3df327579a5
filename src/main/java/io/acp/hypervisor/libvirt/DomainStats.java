package io.acp.hypervisor.libvirt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;

/** A domain's counters that QEMU answers through its monitor, as libvirt reports them; what the driver does not report is left out. */
final class DomainStats {

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
