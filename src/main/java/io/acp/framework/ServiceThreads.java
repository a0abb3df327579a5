package io.acp.framework;

import io.acp.cluster.WriteThreads;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where a service's threads are, for the log of a start that does not finish: the threads named
 * for the service ({@code acp-<name>}, {@code acp-<name>-…}) and any other thread running the
 * service's code (a worker pool's, an event loop's), each with the top of its stack. Then the
 * CDB's threads that every object write passes through (the journal's writer, its
 * acknowledgements, the CDB's writer): a start that waits for a write waits on them without a
 * thread of its own, and the code a write's acknowledgement runs on the acknowledging thread is
 * whoever chained onto it, in any service.
 */
final class ServiceThreads {

    /** Threads described at most: a hung service has a few; a pool of workers all in one call says as much with this many. */
    static final int MAX_THREADS = 12;
    /** Frames of each: enough to reach the service's own call under a library's. */
    static final int MAX_FRAMES = 40;

    private ServiceThreads() {
    }

    /**
     * One block per thread of service {@code name} (code in {@code packageName} or below), "(none)"
     * if none; then one per thread of the CDB's writes.
     */
    static String describe(String name, String packageName) {
        String prefix = packageName + ".";
        String threadName = "acp-" + name;
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        StringBuilder out = new StringBuilder();
        int described = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e : all.entrySet()) {
            Thread t = e.getKey();
            StackTraceElement[] stack = e.getValue();
            boolean named = t.getName().equals(threadName) || t.getName().startsWith(threadName + "-");
            if (!named && !runs(stack, prefix)) {
                continue;
            }
            if (described++ == MAX_THREADS) {
                out.append("\n  (more threads not shown)");
                break;
            }
            append(out, t, stack);
        }
        StringBuilder writes = new StringBuilder();
        // the most telling first (WriteThreads.IN_ORDER): a JVM with several CDBs (tests, a simulation) has more than are shown
        List<Map.Entry<Thread, StackTraceElement[]>> path = all.entrySet().stream()
                .filter(e -> WriteThreads.rank(e.getKey().getName()) < WriteThreads.IN_ORDER.size())
                .sorted(Comparator.comparingInt(e -> WriteThreads.rank(e.getKey().getName())))
                .limit(MAX_THREADS)
                .toList();
        path.forEach(e -> append(writes, e.getKey(), e.getValue()));
        return (described == 0 ? " (none)" : out.toString())
                + "\n  the CDB's write threads, which a start waiting for a write waits on:" + (path.isEmpty() ? " (none)" : writes.toString());
    }

    private static void append(StringBuilder out, Thread t, StackTraceElement[] stack) {
        out.append("\n  \"").append(t.getName()).append("\" ").append(t.getState());
        for (int i = 0; i < Math.min(stack.length, MAX_FRAMES); i++) {
            out.append("\n    at ").append(stack[i]);
        }
        if (stack.length > MAX_FRAMES) {
            out.append("\n    … ").append(stack.length - MAX_FRAMES).append(" more");
        }
    }

    private static boolean runs(StackTraceElement[] stack, String prefix) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
