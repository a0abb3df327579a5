package io.acp.cluster.sync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Map;
import java.util.TreeMap;

/**
 * Heap bytes the JVM's live threads have allocated (HotSpot's per-thread TLAB accounting, through
 * {@code com.sun.management.ThreadMXBean}), by the same roles as {@link ThreadCpu}. Divided by the
 * updates delivered it is the allocation a delivery costs: the figure that decides how often young
 * collections pause the nodes, and one a loaded machine does not stretch at all.
 */
public record ThreadAlloc(Map<String, Long> byRoleBytes) {

    public static ThreadAlloc snapshot() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported()) {
            return new ThreadAlloc(Map.of());
        }
        long[] ids = mx.getAllThreadIds();
        ThreadInfo[] infos = mx.getThreadInfo(ids);
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        Map<String, Long> byRole = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && bytes[i] >= 0) {
                byRole.merge(ThreadCpu.role(infos[i].getThreadName()), bytes[i], Long::sum);
            }
        }
        return new ThreadAlloc(byRole);
    }

    /** What was allocated between {@code before} and this snapshot (threads that ended meanwhile are not counted). */
    public ThreadAlloc minus(ThreadAlloc before) {
        return new ThreadAlloc(ThreadCpu.difference(byRoleBytes, before.byRoleBytes));
    }

    /** Bytes per item: all threads, then each role. */
    public String perItem(long items) {
        return ThreadCpu.perItem(byRoleBytes, items, 1, "%.0f", " B", "not measured (no per-thread allocation counter)");
    }
}
