package io.acp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.model.Json;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * 1,000 WebSocket clients watching a node's live stats (1 Hz) for 60 s against a real node
 * process ({@code acp node run} with webapi), with the node's CPU measured from /proc over the
 * window. Prints RESULT lines: webapi.clients, webapi.lost, webapi.nodeCpu.
 *
 * <p>Usage: {@code WebApiFanoutBench <quarkus-run.jar> [clients] [seconds]}; see scripts/bench-webapi.
 */
public final class WebApiFanoutBench {

    private WebApiFanoutBench() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Path dir = Files.createTempDirectory("acp-webapi-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Dacp.node.id=bench", "-Dacp.node.data-dir=" + dir.resolve("data"), "-Dacp.api.socket=" + dir.resolve("api.sock"),
                "-Dacp.api.port=0", "-Dacp.node.services=cluster,api,webapi", "-Dacp.webapi.port=" + port,
                "-Dacp.cluster.journal.fsync=false", "-jar", jar.toString(), "node", "run"));
        Path log = dir.resolve("node.log");
        Process node = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Vertx vertx = Vertx.vertx();
        try {
            awaitReady(node, log);
            String key = Files.readString(dir.resolve("data/admin.key"), StandardCharsets.UTF_8).trim();
            System.out.printf("node pid %d, %d clients watching node stats (1 Hz) for %d s%n", node.pid(), clients, seconds);
            long[] cpuStart = new long[1];
            long[] wallStart = new long[1];
            WebApiFanout fanout = new WebApiFanout(vertx, URI.create("ws://127.0.0.1:" + port + "/api/ws"), key, "bench");
            try (ApiClient api = ApiClient.connect(new ApiEndpoint.Unix(dir.resolve("api.sock")), key)) {
                WebApiFanout.Result r = fanout.run(clients, Duration.ofSeconds(seconds), window -> {
                    JsonNode history = api.call("cluster", "stats", Json.object().put("type", "node").put("id", "bench")
                            .put("node", "bench").put("history", true));
                    return WebApiFanout.versionsWithin(history, window[0], window[1]);
                }, () -> {
                    cpuStart[0] = cpuTicks(node.pid());
                    wallStart[0] = System.nanoTime();
                });
                double cpuSeconds = (cpuTicks(node.pid()) - cpuStart[0]) / 100.0;
                double wall = (System.nanoTime() - wallStart[0]) / 1e9;
                double cpuPercent = cpuSeconds / wall * 100;
                System.out.printf("%d clients, %d samples written in the window, %d events delivered, %d lost, %d duplicated or out of order%n",
                        r.clients(), r.written(), r.events(), r.lost(), r.outOfOrder());
                System.out.printf("node cpu over the measured window: %.1f %% of one core (%.1f s cpu in %.1f s)%n", cpuPercent, cpuSeconds, wall);
                System.out.printf("RESULT webapi.clients %d clients%n", r.clients());
                System.out.printf("RESULT webapi.lost %d updates%n", r.lost() + r.outOfOrder());
                System.out.printf("RESULT webapi.nodeCpu %.1f percent%n", cpuPercent);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            node.destroy();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
    static long cpuTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static void awaitReady(Process node, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return;
            }
            if (!node.isAlive()) {
                throw new IllegalStateException("the node exited:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the node did not start within 90 s:\n" + Files.readString(log));
    }
}
