package io.acp.agent;

import io.acp.protocol.Response;
import io.acp.security.PkiFiles;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests/s and latency of {@code api.ping} over mutual TLS to a real agent on 127.0.0.1, on N
 * persistent connections, each a closed loop (send, wait for the answer, send the next) on its own
 * thread. Prints requests/s and p50/p99/p99.9 per connection count. Not JMH: the figure is across
 * threads and the server's event loops.
 *
 * <p>Usage: {@code AgentLatencyBench [connections,...] [warmup s] [measure s]}; see scripts/bench-agent.
 */
public final class AgentLatencyBench {

    private AgentLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        String[] counts = (args.length > 0 ? args[0] : "1,64").split(",");
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int measure = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("acp-agent-bench");
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        AgentConfig config = AgentStack.config(List.of("TLSv1.3")).withClientLimits(1024, Integer.MAX_VALUE);
        try (AgentStack node = AgentStack.start(vertx, "bench", dir, config)) {
            System.out.printf("api.ping over mutual TLS 1.3, closed loop per connection, warmup %d s, measure %d s%n", warmup, measure);
            System.out.printf("%12s %12s %10s %10s %10s %10s%n", "connections", "requests/s", "p50 us", "p99 us", "p99.9 us", "max us");
            for (String c : counts) {
                run(node, Integer.parseInt(c.trim()), warmup, measure);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0); // the stack's worker pools are not daemon threads and would keep the JVM alive
    }

    private static void run(AgentStack node, int connections, int warmup, int measure) throws Exception {
        PkiFiles pki = node.pki();
        AtomicBoolean recording = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> samples = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            TlsTestClient client = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate());
            client.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
            long[] mine = new long[Math.max(100_000, 4_000_000 / connections)];
            int[] n = new int[1];
            samples.add(mine);
            counts.add(n);
            Thread t = new Thread(() -> {
                try (client) {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        Response r = client.call(null, "api", "ping", null, null);
                        long took = System.nanoTime() - start;
                        if (!(r instanceof Response.Result)) {
                            throw new IllegalStateException("ping failed: " + r);
                        }
                        if (recording.get() && n[0] < mine.length) {
                            mine[n[0]++] = took;
                        }
                    }
                } catch (Exception e) {
                    if (!stop.get()) {
                        e.printStackTrace();
                    }
                }
            }, "bench-client-" + i);
            threads.add(t);
            t.start();
        }
        Thread.sleep(warmup * 1000L);
        recording.set(true);
        long began = System.nanoTime();
        Thread.sleep(measure * 1000L);
        recording.set(false);
        double seconds = (System.nanoTime() - began) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        int total = counts.stream().mapToInt(c -> c[0]).sum();
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i), 0, all, at, counts.get(i)[0]);
            at += counts.get(i)[0];
        }
        Arrays.sort(all);
        System.out.printf("%12d %12.0f %10.0f %10.0f %10.0f %10.0f%n", connections, total / seconds,
                pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), all.length == 0 ? 0 : all[all.length - 1] / 1e3);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e3;
    }
}
