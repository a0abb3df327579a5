package io.acp.bench;

import io.acp.cluster.history.StatsHistory;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stats history's add rate: each call records one 10-metric sample of the next of
 * {@code objects} objects into all three rings (1 s, 1 min, 10 min); the clock advances one
 * second per round over the objects, so steps open and rings wrap as on a node. Run by
 * {@code scripts/bench-history}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HistoryAddBenchmark {

    /** Objects sampled in turn (10 metrics each: 4,000 series, about the default bound). */
    @Param("400")
    int objects;

    private StatsHistory history;
    private ObjectKey[] keys;
    private Map<String, Double> sample;
    private long millis = 1_798_761_600_000L;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        history = new StatsHistory("n1", objects * 10);
        keys = new ObjectKey[objects];
        for (int i = 0; i < objects; i++) {
            keys[i] = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
        }
        sample = new HashMap<>();
        for (String m : new String[] {"cpu", "cpuTime", "vcpus", "memory", "maxMemory", "diskReadBytes", "diskWriteBytes", "netRxBytes",
            "netTxBytes", "balloonRss"}) {
            sample.put(m, 1234.5);
        }
    }

    @Benchmark
    public int add() {
        history.add(keys[next], millis, sample);
        if (++next == objects) {
            next = 0;
            millis += 1000;
        }
        return next;
    }
}
