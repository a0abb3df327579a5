package io.acp.cluster.sync.bench;

import io.acp.cluster.sync.SyncSettings;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.PkiFiles;
import io.acp.testing.Ports;
import io.acp.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A partition healing in a large state: two in-process nodes on loopback multicast with the
 * documented default timings hold {@code objects} objects and agree; then each is cut off from the
 * other for {@code cutSeconds} while each changes {@code changes} objects of its own half (new
 * versions of existing objects, spread over the whole state), and the time from the heal until both
 * digests are equal is measured, with the UDP payload bytes each received meanwhile beside the
 * changed entries' size (what any repair must carry at least), and the CPU the two nodes' sync
 * threads and I/O threads used from the heal until then ({@link ThreadCpu}: the kernel's 10 ms
 * ticks). What a repair costs should follow what differs, not the size of the state.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.bench.SyncHealBench [objects=100000] [changes=500] [cutSeconds=3] [trials=3]}
 */
public final class SyncHealBench {

    private SyncHealBench() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // worker pools of the nodes' start and stop would keep the JVM alive for a minute
    }

    private static void run(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int cutSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int trials = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        SyncSettings settings = SyncSettings.defaults("bench", "heal benchmark secret 0123456789", Ports.randomGroup(), Ports.freeUdpPort());
        Path root = Files.createTempDirectory("acp-heal-bench-");
        PkiFiles ca = TestPki.newCluster(root.resolve("ca"), "bench");
        List<CountedNode> nodes = List.of(CountedNode.start("h1", settings, root, ca), CountedNode.start("h2", settings, root, ca));
        for (int k = 0; k < objects; k++) {
            nodes.get(k % 2).cdb().putObject(key(k), null, body(k, 0), null).await().atMost(Duration.ofSeconds(5));
        }
        awaitEqual(nodes, Math.max(120, objects / 2_000));
        System.out.printf("2 nodes agree on %s; %s%n", nodes.get(0).sync().digest(), settings);
        for (int t = 1; t <= trials; t++) {
            Thread.sleep(3_000); // the writes' deltas and seals settled
            nodes.forEach(n -> n.bytes().cut = true);
            long changedBytes = 0;
            for (int c = 0; c < changes; c++) {
                for (int side = 0; side < 2; side++) {
                    int k = (int) (((long) c * 7919 * 2 + side) % objects); // spread over the state, each node changing its own
                    k = k - (k % 2) + side;
                    if (k >= objects) {
                        k -= 2;
                    }
                    var b = body(k, t);
                    changedBytes += io.acp.cluster.sync.wire.EntryCodec.encode(
                            nodes.get(side).cdb().putObject(key(k), null, b, null).await().atMost(Duration.ofSeconds(5))).length;
                }
            }
            Thread.sleep(cutSeconds * 1_000L);
            long[] before = nodes.stream().mapToLong(n -> n.bytes().bytesReceived.get()).toArray();
            Map<String, Long> pullsBefore = counters(nodes);
            ThreadCpu cpuBefore = ThreadCpu.snapshot();
            long t0 = System.nanoTime();
            nodes.forEach(n -> n.bytes().cut = false);
            if (!awaitEqual(nodes, 120)) {
                return;
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            Map<String, Long> cpu = ThreadCpu.snapshot().minus(cpuBefore).byRoleTicks();
            long received = 0;
            for (int i = 0; i < 2; i++) {
                received += nodes.get(i).bytes().bytesReceived.get() - before[i];
            }
            Map<String, Long> pulls = counters(nodes);
            System.out.printf("trial %d: %d objects, %d changed on each side while cut for %d s: agreed %.0f ms after the heal; "
                    + "received %.2f MB in all (the changed entries' encodings: %.2f MB, %.1f x); %d pulls, %d entries received again; "
                    + "CPU of both sync threads %d ms, of their I/O threads %d ms%n",
                    t, objects, changes, cutSeconds, ms, received / 1e6, changedBytes / 1e6, received / (double) changedBytes,
                    pulls.get("sync.pulls.sent") - pullsBefore.get("sync.pulls.sent"),
                    pulls.get("sync.entries.ignored") - pullsBefore.get("sync.entries.ignored"),
                    cpu.getOrDefault("sync", 0L) * 10, cpu.getOrDefault("io", 0L) * 10);
        }
        for (CountedNode n : nodes) {
            n.sync().stop().await().atMost(Duration.ofSeconds(10));
        }
    }

    private static ObjectKey key(int k) {
        return ObjectKey.of(ObjectType.SYSTEM, "obj-" + k);
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode body(int k, int round) {
        return Json.object().put("i", k).put("round", round).put("name", "object number " + k);
    }

    private static Map<String, Long> counters(List<CountedNode> nodes) {
        Map<String, Long> sum = new java.util.HashMap<>();
        for (CountedNode n : nodes) {
            n.sync().counters().snapshot().forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }

    private static boolean awaitEqual(List<CountedNode> nodes, long seconds) throws InterruptedException {
        long giveUp = System.nanoTime() + seconds * 1_000_000_000L;
        while (!nodes.get(0).sync().digest().equals(nodes.get(1).sync().digest())) {
            if (System.nanoTime() > giveUp) {
                System.out.printf("not equal after %d s: %s / %s%n", seconds, nodes.get(0).sync().digest(), nodes.get(1).sync().digest());
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }
}
