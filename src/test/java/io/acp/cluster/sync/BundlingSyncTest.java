package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.transport.TransportCounters;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundler on real nodes (loopback multicast, real sealing and tags): a burst of writes leaves
 * in bundles that pack datagrams up to the size limit and never beyond it, and every write arrives
 * through deltas alone (anti-entropy is set far beyond the test); a single write after a quiet
 * spell goes out as a bundle of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BundlingSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    /** Records the size of every datagram the node sends, then sends it. */
    private static final class SizeRecording implements Transport {
        final Transport real;
        final AtomicInteger largest = new AtomicInteger();
        final AtomicLong sent = new AtomicLong();

        SizeRecording(Transport real) {
            this.real = real;
        }

        private void record(byte[] d) {
            largest.accumulateAndGet(d.length, Math::max);
            sent.incrementAndGet();
        }

        @Override
        public void start(Receiver receiver) throws java.io.IOException {
            real.start(receiver);
        }

        @Override
        public void broadcast(byte[] datagram) {
            record(datagram);
            real.broadcast(datagram);
        }

        @Override
        public void unicast(InetSocketAddress to, byte[] datagram) {
            record(datagram);
            real.unicast(to, datagram);
        }

        @Override
        public InetSocketAddress localAddress() {
            return real.localAddress();
        }

        @Override
        public TransportCounters counters() {
            return real.counters();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void aBurstLeavesInFullDatagramsNeverLargerThanTheLimitAndAllOfItArrives() {
        SyncSettings settings = InProcessCluster.testSettings("bundle", "bundling test secret 0123456789")
                .withTimings(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(10));
        PkiFiles ca = TestPki.newCluster(tmp.resolve("ca"), "bundle");
        TestPki.provision(ca, tmp.resolve("n1"), "n1");
        TestPki.provision(ca, tmp.resolve("n2"), "n2");
        Cdb writer = Cdb.inMemory("n1");
        Cdb reader = Cdb.inMemory("n2");
        SizeRecording[] recorder = new SizeRecording[1];
        ClusterSync writerSync = new ClusterSync(writer, settings, "n1", tmp.resolve("n1"), t -> recorder[0] = new SizeRecording(t));
        ClusterSync readerSync = new ClusterSync(reader, settings, "n2", tmp.resolve("n2"));
        writerSync.start().await().atMost(WAIT);
        readerSync.start().await().atMost(WAIT);
        try {
            // both know each other's certificate: deltas are tagged for the reader
            ObjectKey probe = ObjectKey.of(ObjectType.SYSTEM, "probe");
            Eventually.await(WAIT, () -> {
                writer.putStats(probe, Map.of("v", 1.0));
                return !reader.stats(probe, "n1").isEmpty() && writerSync.stats().get("sync.deltas.untagged") == 0
                        && readerSync.stats().get("sync.deltas.untagged") == 0;
            }, () -> "the two nodes hear each other: " + writerSync.stats());
            long bundlesBefore = writerSync.stats().get("sync.deltas.bundles");

            int burst = 2_000;
            for (int i = 0; i < burst; i++) {
                writer.putStats(ObjectKey.of(ObjectType.SYSTEM, "vm-" + i), Map.of("cpu", i / 10.0, "mem", 0.5));
            }
            Eventually.await(WAIT, () -> statsFrom(reader, burst) == burst, () -> "n2 holds the burst: " + statsFrom(reader, burst)
                    + " of " + burst + "; " + readerSync.stats());

            long bundles = writerSync.stats().get("sync.deltas.bundles") - bundlesBefore;
            assertThat(bundles).as("bundles for %d writes", burst).isPositive().isLessThanOrEqualTo(burst / 2);
            assertThat(recorder[0].largest.get()).isLessThanOrEqualTo(settings.maxDatagramBytes());
            assertThat(writerSync.stats().get("sync.deltas.overflowed")).isZero();

            // quiet, then one write: one bundle of its own, at once (no linger, nothing to wait for)
            long quietBundles = writerSync.stats().get("sync.deltas.bundles");
            ObjectKey single = ObjectKey.of(ObjectType.SYSTEM, "single");
            writer.putStats(single, Map.of("cpu", 1.0));
            Eventually.await(WAIT, () -> !reader.stats(single, "n1").isEmpty(), "n2 holds the single write");
            assertThat(writerSync.stats().get("sync.deltas.bundles")).isGreaterThan(quietBundles);
        } finally {
            readerSync.stop().await().atMost(WAIT);
            writerSync.stop().await().atMost(WAIT);
        }
    }

    private static int statsFrom(Cdb cdb, int burst) {
        int held = 0;
        for (int i = 0; i < burst; i++) {
            List<StatsEntry> s = cdb.stats(ObjectKey.of(ObjectType.SYSTEM, "vm-" + i), "n1");
            if (!s.isEmpty() && s.get(s.size() - 1).values().get("cpu") == i / 10.0) {
                held++;
            }
        }
        return held;
    }
}
