package io.acp.framework;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Samples the node's numbers from /proc: cpu busy fraction, memory, load and uptime, and this
 * process's resident memory. {@link #sample()} reads files and must run on a worker; the parse
 * methods are pure so they can be tested on sample text.
 */
public final class NodeStatsCollector {

    /** Aggregate cpu jiffies from the first line of /proc/stat, and how many cpus it lists. */
    record CpuTimes(long busy, long total, int cpus) {
    }

    /** Bytes from /proc/meminfo. */
    record Memory(long total, long available) {
    }

    record LoadAverage(double load1, double load5, double load15) {
    }

    private final Path proc;
    private CpuTimes previous;

    /** @param proc the proc file system, {@code /proc} on a node */
    public NodeStatsCollector(Path proc) {
        this.proc = proc;
    }

    /**
     * One sample. The cpu fraction covers the time since the previous sample (since boot for the
     * first one). Keys: cpu, cpus, memTotal, memAvailable, memUsed, load1, load5, load15, uptime,
     * processRss.
     */
    public synchronized Map<String, Double> sample() {
        CpuTimes cpu = parseCpuTimes(read("stat"));
        double busy = busyFraction(previous, cpu);
        previous = cpu;
        Memory memory = parseMemory(read("meminfo"));
        LoadAverage load = parseLoadAverage(read("loadavg"));
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("cpu", busy);
        values.put("cpus", (double) cpu.cpus());
        values.put("memTotal", (double) memory.total());
        values.put("memAvailable", (double) memory.available());
        values.put("memUsed", (double) (memory.total() - memory.available()));
        values.put("load1", load.load1());
        values.put("load5", load.load5());
        values.put("load15", load.load15());
        values.put("uptime", parseUptime(read("uptime")));
        values.put("processRss", (double) parseVmRss(read("self/status")));
        values.put("wallClock", (double) System.currentTimeMillis()); // the monitor's clock-skew rule compares it with its own clock
        return values;
    }

    private String read(String file) {
        try {
            return Files.readString(proc.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + proc.resolve(file) + " for node stats: " + e.getMessage(), e);
        }
    }

    /**
     * Busy and total jiffies from the aggregate {@code cpu} line (user nice system idle iowait irq
     * softirq steal; guest time is already inside user). Idle is idle plus iowait.
     */
    static CpuTimes parseCpuTimes(String procStat) {
        long busy = -1;
        long total = 0;
        int cpus = 0;
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 5) {
                    throw malformed("/proc/stat", line);
                }
                long idle = 0;
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 4 || i == 5) {
                        idle += v;
                    }
                }
                busy = total - idle;
            } else if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                cpus++;
            }
        }
        if (busy < 0 || cpus == 0) {
            throw malformed("/proc/stat", "no aggregate 'cpu' line or no per-cpu lines");
        }
        return new CpuTimes(busy, total, cpus);
    }

    /** Busy fraction 0..1 of all cpus between two readings (since boot if there is no earlier one). */
    static double busyFraction(CpuTimes before, CpuTimes now) {
        long busy = before == null ? now.busy() : now.busy() - before.busy();
        long total = before == null ? now.total() : now.total() - before.total();
        if (total <= 0) {
            return 0.0;
        }
        return Math.max(0.0, Math.min(1.0, (double) busy / total));
    }

    static Memory parseMemory(String meminfo) {
        long total = kibField(meminfo, "MemTotal:", "/proc/meminfo");
        long available = kibField(meminfo, "MemAvailable:", "/proc/meminfo");
        return new Memory(total * 1024, available * 1024);
    }

    static LoadAverage parseLoadAverage(String loadavg) {
        String[] f = loadavg.trim().split("\\s+");
        if (f.length < 3) {
            throw malformed("/proc/loadavg", loadavg);
        }
        return new LoadAverage(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
    }

    /** Seconds since boot. */
    static double parseUptime(String uptime) {
        String[] f = uptime.trim().split("\\s+");
        if (f.length < 1 || f[0].isEmpty()) {
            throw malformed("/proc/uptime", uptime);
        }
        return Double.parseDouble(f[0]);
    }

    /** Resident set size in bytes, from a /proc/[pid]/status text. */
    static long parseVmRss(String status) {
        return kibField(status, "VmRSS:", "/proc/self/status") * 1024;
    }

    private static long kibField(String text, String label, String file) {
        for (String line : text.split("\n")) {
            if (line.startsWith(label)) {
                String[] f = line.substring(label.length()).trim().split("\\s+");
                return Long.parseLong(f[0]);
            }
        }
        throw malformed(file, "no " + label + " line");
    }

    private static IllegalArgumentException malformed(String file, String what) {
        return new IllegalArgumentException("unexpected " + file + " format: " + what.strip());
    }
}
