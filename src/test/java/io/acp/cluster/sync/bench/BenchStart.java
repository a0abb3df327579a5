package io.acp.cluster.sync.bench;

import io.acp.cluster.sync.SyncSettings;
import io.acp.security.PkiFiles;
import io.acp.testing.BenchArgs;
import io.acp.testing.Ports;
import io.acp.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What a sync benchmark starts from: its positional whole-number arguments, and a cluster of its own
 * (documented default settings on a random group and port, a temp dir, a CA) removed when it is done.
 */
record BenchStart(SyncSettings settings, Path root, PkiFiles ca) implements AutoCloseable {

    /** Argument {@code index} (from 0), or {@code otherwise} when left out ({@link BenchArgs#whole}). */
    static int arg(String[] args, int index, String name, int otherwise) {
        return BenchArgs.whole(args, index, name, otherwise);
    }

    /** A new cluster named after the benchmark ({@code name}: its secret and temp dir say so). */
    static BenchStart cluster(String name) throws IOException {
        SyncSettings d = SyncSettings.defaults("bench", name + " benchmark secret 0123456789", Ports.randomGroup(), Ports.freeUdpPort());
        // -Dbench.maxDatagramBytes: the same run with larger datagrams (docs/benchmarks.md, "Larger datagrams")
        int max = Integer.getInteger("bench.maxDatagramBytes", d.maxDatagramBytes());
        SyncSettings settings = new SyncSettings(d.clusterId(), d.secret(), d.previousSecret(), d.mode(), d.group(), d.port(), d.multicastInterface(), d.ttl(),
                d.unicastBind(), d.peers(), d.flushInterval(), d.maxLinger(), d.maxPendingDeltas(), d.heartbeatInterval(), d.suspectAfter(), d.deadAfter(),
                d.antiEntropyInterval(), d.antiEntropyMaxBytes(), max, d.reassemblyTimeout(), d.reassemblyMaxBytes());
        Path root = Files.createTempDirectory("acp-" + name.replace(' ', '-') + "-");
        return new BenchStart(settings, root, TestPki.newCluster(root.resolve("ca"), settings.clusterId()));
    }

    /** Removes the temp dir, nodes' data and CA included. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
