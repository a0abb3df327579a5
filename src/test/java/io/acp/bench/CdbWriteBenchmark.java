package io.acp.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import java.util.Map;
import java.util.concurrent.Flow;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CDB local write → subscriber sees it, on one thread: each benchmark call writes one stats sample
 * (or meta) over a rotating set of keys, and one change stream with full demand receives it before
 * the call returns. Throughput mode gives updates/s; sample mode gives the per-update time, which
 * here is the write-to-subscriber latency. Run pinned to one core: {@code scripts/bench-cdb}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CdbWriteBenchmark {

    /** Distinct objects written in turn: a node with 10,000 objects' stats. */
    @Param("10000")
    int keys;

    private Cdb cdb;
    private ObjectKey[] ids;
    private Map<String, Double> sample;
    private ObjectNode meta;
    private CountingSubscriber subscriber;
    private long writes;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        cdb = Cdb.inMemory("n1");
        ids = new ObjectKey[keys];
        for (int i = 0; i < keys; i++) {
            ids[i] = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
        }
        sample = Map.of("cpu", 0.25, "mem", 1.5e9, "rx", 12345.0, "tx", 6789.0);
        meta = Json.object().put("state", "running").put("host", "n1");
        subscriber = new CountingSubscriber();
        cdb.changes(ChangeFilter.ALL).subscribe(subscriber);
    }

    @TearDown(Level.Trial)
    public void checkEveryWriteWasSeen() {
        cdb.close();
        if (subscriber.seen != writes) {
            throw new IllegalStateException("subscriber saw " + subscriber.seen + " of " + writes + " writes");
        }
    }

    private ObjectKey nextKey() {
        ObjectKey k = ids[next];
        next = next + 1 == ids.length ? 0 : next + 1;
        writes++;
        return k;
    }

    @Benchmark
    public StatsEntry putStats() {
        return cdb.putStats(nextKey(), sample);
    }

    @Benchmark
    public MetaEntry putMeta() {
        return cdb.putMeta(nextKey(), meta);
    }

    /** Takes everything, as a watch stream with room to spare does; counts and reads each entry. */
    static final class CountingSubscriber implements Flow.Subscriber<Entry> {
        long seen;
        long lastTime;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Entry e) {
            seen++;
            lastTime = e.version().time();
        }

        @Override
        public void onError(Throwable t) {
            throw new IllegalStateException(t);
        }

        @Override
        public void onComplete() {
        }
    }
}
