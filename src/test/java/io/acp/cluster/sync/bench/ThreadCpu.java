package io.acp.cluster.sync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time the JVM's threads have used (user and system, from Linux's {@code /proc/self/task}), by
 * role: the sync nodes' sync threads, their transports' receiving threads, the writer (the bench's
 * main thread), garbage collection, the JIT compilers, the rest (JGroups' threads, in its bench). Divided by the updates delivered it
 * is a figure that a loaded machine stretches far less than latency: waiting for a core costs no
 * CPU time. Resolution is the kernel's clock tick (10 ms), ample over seconds.
 */
public record ThreadCpu(Map<String, Long> byRoleTicks) {

    private static final double TICK_MICROS = 10_000; // USER_HZ is 100 on Linux

    public static ThreadCpu snapshot() {
        Map<String, Long> byRole = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    byRole.merge(role(comm), ticks, Long::sum);
                } catch (IOException | RuntimeException ended) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException notLinux) {
            return new ThreadCpu(Map.of());
        }
        return new ThreadCpu(byRole);
    }

    static String role(String comm) {
        if (comm.startsWith("acp-sync-io")) {
            return "io";
        }
        if (comm.startsWith("acp-sync-")) {
            return "sync";
        }
        if (comm.equals("main") || comm.equals("java")) {
            return "writer";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
            return "gc";
        }
        if (comm.contains("CompilerThre")) {
            return "jit";
        }
        return "other";
    }

    /** What was used between {@code before} and this snapshot (threads that ended meanwhile are not counted). */
    public ThreadCpu minus(ThreadCpu before) {
        return new ThreadCpu(difference(byRoleTicks, before.byRoleTicks));
    }

    /** Microseconds per item: all threads, then each role. */
    public String perItem(long items) {
        return perItem(byRoleTicks, items, TICK_MICROS, "%.1f", " us", "not measured (no /proc)");
    }

    /** Per role, {@code now} less {@code before} (a role missing before counts from zero). */
    static Map<String, Long> difference(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> out = new TreeMap<>();
        now.forEach((role, n) -> out.put(role, n - before.getOrDefault(role, 0L)));
        return out;
    }

    /** "all threads X unit, role X, …": each count times {@code scale} over the items. */
    static String perItem(Map<String, Long> byRole, long items, double scale, String number, String unit, String unmeasured) {
        if (items == 0 || byRole.isEmpty()) {
            return items == 0 ? "nothing delivered" : unmeasured;
        }
        long all = byRole.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder b = new StringBuilder(String.format("all threads " + number + unit, all * scale / items));
        byRole.forEach((role, n) -> b.append(String.format(", %s " + number, role, n * scale / items)));
        return b.toString();
    }
}
