package io.acp.storage.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * I/O counters from {@code /proc/diskstats} and the rates between two readings. The counters are
 * the contract's {@code readBytes, writeBytes, readOps, writeOps, ioMillis} (totals since boot);
 * the rates are added as {@code readBytesPerSec, writeBytesPerSec, readOpsPerSec, writeOpsPerSec}
 * and {@code busy} (share of the interval the device had I/O in flight, 0..1).
 */
final class DiskStats {

    /** One device's counters at one time. */
    record Sample(long readOps, long readBytes, long writeOps, long writeBytes, long ioMillis, long atNanos) {

        Map<String, Double> values(Sample before) {
            Map<String, Double> v = new HashMap<>();
            v.put("readBytes", (double) readBytes);
            v.put("writeBytes", (double) writeBytes);
            v.put("readOps", (double) readOps);
            v.put("writeOps", (double) writeOps);
            v.put("ioMillis", (double) ioMillis);
            if (before != null && atNanos > before.atNanos) {
                double secs = (atNanos - before.atNanos) / 1e9;
                v.put("readBytesPerSec", Math.max(0, readBytes - before.readBytes) / secs);
                v.put("writeBytesPerSec", Math.max(0, writeBytes - before.writeBytes) / secs);
                v.put("readOpsPerSec", Math.max(0, readOps - before.readOps) / secs);
                v.put("writeOpsPerSec", Math.max(0, writeOps - before.writeOps) / secs);
                v.put("busy", Math.min(1.0, Math.max(0, ioMillis - before.ioMillis) / (secs * 1000)));
            }
            return v;
        }
    }

    private final Path file;
    private Map<String, Sample> last = Map.of();

    DiskStats(Path procRoot) {
        this.file = procRoot.resolve("diskstats");
    }

    /** Reads the counters now; answers each device's stats values (rates against the previous read). */
    Map<String, Map<String, Double>> sample() {
        Map<String, Sample> now = read(file, System.nanoTime());
        Map<String, Map<String, Double>> out = new HashMap<>();
        now.forEach((name, s) -> out.put(name, s.values(last.get(name))));
        last = now;
        return out;
    }

    static Map<String, Sample> read(Path file, long atNanos) {
        try {
            return parse(Files.readAllLines(file), atNanos);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fields: major minor name reads merged sectorsRead msRead writes merged sectorsWritten msWrite inFlight msIo ... (sectors of 512 bytes). */
    static Map<String, Sample> parse(List<String> lines, long atNanos) {
        Map<String, Sample> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 14) {
                continue;
            }
            try {
                out.put(f[2], new Sample(Long.parseLong(f[3]), Long.parseLong(f[5]) * 512, Long.parseLong(f[7]), Long.parseLong(f[9]) * 512,
                        Long.parseLong(f[12]), atNanos));
            } catch (NumberFormatException e) {
                // a line this parser does not understand is skipped, not fatal
            }
        }
        return out;
    }
}
