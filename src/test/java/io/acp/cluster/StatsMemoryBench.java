package io.acp.cluster;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The heap a full stats series takes in the CDB: {@code series} series (one per object, reported by
 * a peer as at the scale target) filled with {@code samples} samples of the four values the sync
 * benchmarks' simulated peers send, the live heap measured after a full GC with the CDB empty and
 * full; the difference divided by the series. What issue "performance" (256 nodes × 100 objects,
 * heap flat) needs: 25,600 series per node.
 *
 * <p>Usage: {@code java -Xms1g -Xmx1g -cp … io.acp.cluster.StatsMemoryBench [series=25600] [samples=60]}
 */
public final class StatsMemoryBench {

    private StatsMemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 25_600;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        ObjectKey[] keys = new ObjectKey[series];
        String[] nodes = new String[series];
        for (int i = 0; i < series; i++) {
            keys[i] = ObjectKey.of(ObjectType.SYSTEM, "sim" + (i / 100) + "-o" + (i % 100));
            nodes[i] = "sim" + (i / 100);
        }
        long empty = liveHeap();
        Cdb cdb = new Cdb("real1", new io.acp.model.HybridClock(), ObjectLog.NONE, 60);
        long t = System.currentTimeMillis();
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < series; i++) {
                double v = (i * 31 + s) % 1000 / 10.0;
                Map<String, Double> values = new LinkedHashMap<>();
                values.put("cpu", v);
                values.put("mem", v * 2);
                values.put("rx", v * 3);
                values.put("tx", v * 4);
                cdb.merge(new io.acp.model.StatsEntry(keys[i], nodes[i], values, new io.acp.model.Version(t + s * 1000L, nodes[i])));
            }
        }
        long full = liveHeap();
        System.out.printf("%d series x %d samples of 4 values: %.0f bytes per series (heap %d MB empty, %d MB full; latest sample, ring, holders and map nodes)%n",
                series, samples, (full - empty) / (double) series, empty >> 20, full >> 20);
        if (cdb.statsHistory(keys[0], nodes[0]).size() != Math.min(samples, 60)) {
            throw new IllegalStateException("history of " + keys[0] + " holds " + cdb.statsHistory(keys[0], nodes[0]).size() + " samples");
        }
        cdb.close();
    }

    private static long liveHeap() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
