package io.acp.cluster.sync.bench;

import io.acp.cluster.ObjectQuery;
import io.acp.cluster.Readiness;
import io.acp.cluster.sync.SyncSettings;
import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.PkiFiles;
import io.acp.testing.Ports;
import io.acp.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node joining empty: {@code holders} in-process nodes on loopback multicast with the documented
 * default timings hold {@code objects} objects (written round-robin, each a small JSON document),
 * then one more node starts with an empty CDB and the time until its digest equals the holders' is
 * measured (polled every 2 ms), with the UDP payload bytes it received meanwhile, beside the
 * state's size (the objects' entry encodings, what any transfer must carry at least) and the time
 * until the joiner declared itself ready, and the heap all the nodes use then. Given up after
 * {@code giveUpSeconds}, reporting how much of the state had arrived.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncJoinBench [objects=10000] [holders=2] [giveUpSeconds=60]}
 */
public final class SyncJoinBench {

    private SyncJoinBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // worker pools of the nodes' start and stop would keep the JVM alive for a minute
    }

    private static void run(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int holders = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int giveUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        SyncSettings settings = SyncSettings.defaults("bench", "join benchmark secret 0123456789", Ports.randomGroup(), Ports.freeUdpPort());
        Path root = Files.createTempDirectory("acp-join-bench-");
        PkiFiles ca = TestPki.newCluster(root.resolve("ca"), "bench");
        List<CountedNode> held = new ArrayList<>();
        for (int i = 1; i <= holders; i++) {
            held.add(CountedNode.start("h" + i, settings, root, ca));
        }
        long written = System.nanoTime();
        for (int k = 0; k < objects; k++) {
            held.get(k % holders).cdb().putObject(ObjectKey.of(ObjectType.SYSTEM, "obj-" + k), null,
                    Json.object().put("i", k).put("name", "object number " + k), null).await().atMost(Duration.ofSeconds(5));
        }
        System.out.printf("%d holders, %d objects written in %.1f s; %s%n", holders, objects, (System.nanoTime() - written) / 1e9, settings);
        long settleSeconds = Math.max(120, objects / 2_000); // 1M objects: 500 s
        long settle = System.nanoTime() + settleSeconds * 1_000_000_000L;
        long settleStart = System.nanoTime();
        long nextReport = settleStart + 30_000_000_000L;
        while (!allEqual(held) && System.nanoTime() < settle) {
            if (System.nanoTime() > nextReport) {
                nextReport += 30_000_000_000L;
                System.out.printf("holders after %.0f s: %s%n", (System.nanoTime() - settleStart) / 1e9, describe(held));
            }
            Thread.sleep(10);
        }
        if (!allEqual(held)) {
            System.out.printf("holders did not converge among themselves within %d s; giving up: %s%n", settleSeconds, describe(held));
            return;
        }
        System.out.printf("holders agreed %.1f s after the last write: %s%n", (System.nanoTime() - settleStart) / 1e9, describe(held));
        long stateBytes = 0;
        for (ObjectEntry o : held.get(0).cdb().objects(new ObjectQuery(null, null, null, null, true))) {
            stateBytes += EntryCodec.encode(o).length;
        }
        System.out.printf("holders agree on %s; the objects' entry encodings: %.2f MB%n", held.get(0).sync().digest(), stateBytes / 1e6);

        long t0 = System.nanoTime();
        CountedNode joiner = CountedNode.start("j1", settings, root, ca);
        long giveUp = t0 + giveUpSeconds * 1_000_000_000L;
        long readyNanos = -1;
        while (!joiner.sync().digest().equals(held.get(0).sync().digest())) {
            if (readyNanos < 0 && joiner.cdb().readiness() == Readiness.READY) {
                readyNanos = System.nanoTime() - t0;
            }
            if (System.nanoTime() > giveUp) {
                System.out.printf("join of %d objects: not converged after %d s: %d of %d entries, received %.2f MB (%.1f x the objects' encodings)%n",
                        objects, giveUpSeconds, joiner.sync().digest().entries(), held.get(0).sync().digest().entries(),
                        joiner.bytes().bytesReceived.get() / 1e6, joiner.bytes().bytesReceived.get() / (double) stateBytes);
                return;
            }
            Thread.sleep(2);
        }
        long converged = System.nanoTime() - t0;
        long received = joiner.bytes().bytesReceived.get();
        long sent = joiner.bytes().bytesSent.get();
        long readyGiveUp = System.nanoTime() + 30_000_000_000L;
        while (readyNanos < 0 && System.nanoTime() < readyGiveUp) {
            if (joiner.cdb().readiness() == Readiness.READY) {
                readyNanos = System.nanoTime() - t0;
            }
            Thread.sleep(2);
        }
        System.out.printf("join of %d objects: converged in %.0f ms, ready in %s; received %.2f MB (%.2f x the objects' encodings), sent %.2f MB%n",
                objects, converged / 1e6, readyNanos < 0 ? "> 30 s after converging" : String.format("%.0f ms", readyNanos / 1e6),
                received / 1e6, received / (double) stateBytes, sent / 1e6);
        java.util.Map<String, Long> c = joiner.sync().counters().snapshot();
        System.out.printf("joiner: %d pulls sent, %d entries merged, %d received again (held already)%n",
                c.get("sync.pulls.sent"), c.get("sync.entries.merged"), c.get("sync.entries.ignored"));
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap used after a collection, all nodes in this JVM: %.0f MB of %.0f MB max%n",
                (rt.totalMemory() - rt.freeMemory()) / 1e6, rt.maxMemory() / 1e6);
        for (CountedNode n : held) {
            n.sync().stop().await().atMost(Duration.ofSeconds(10));
        }
        joiner.sync().stop().await().atMost(Duration.ofSeconds(10));
    }

    private static String describe(List<CountedNode> nodes) {
        StringBuilder b = new StringBuilder();
        for (CountedNode n : nodes) {
            java.util.Map<String, Long> c = n.sync().stats();
            b.append(String.format("[%s %s, pulls %d sent %d served, dropped overload %d, merged %d, signatures verified %d, unsealed objects tracked %d] ",
                    n.cdb().localNode(), n.sync().digest(), c.get("sync.pulls.sent"), c.get("sync.pulls.served"), c.get("sync.dropped.overload"),
                    c.get("sync.entries.merged"), c.get("sync.seals.verified"), c.get("sync.objects.returning")));
        }
        return b.toString();
    }

    private static boolean allEqual(List<CountedNode> nodes) {
        return nodes.stream().map(n -> n.sync().digest()).distinct().count() == 1;
    }
}
