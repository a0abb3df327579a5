package io.acp.agent;

import io.acp.model.Json;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.acp.security.NodeKeyManager;
import io.acp.security.PkiFiles;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
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
 * <p>Beside each figure, in the same run, the same loop against two peers on the same Vert.x event
 * loops that do nothing but send each frame back: one with the agent's TLS (the node's key, a client
 * certificate required, TLS 1.3) and one over plain TCP. They tell what a request costs on this host
 * before ACP does anything with it: a closed loop on one connection is bounded by how fast the host
 * wakes the two threads of a round trip, which differs from one machine to the next by a factor of
 * two or more.
 *
 * <p>Usage: {@code AgentLatencyBench [connections,...] [warmup s] [measure s]}; see scripts/bench-agent.
 */
public final class AgentLatencyBench {

    /** One request and its answer. */
    private interface Exchange {
        void once() throws Exception;
    }

    /** An open connection and its exchange. */
    private interface RoundTrip extends AutoCloseable, Exchange {
    }

    /** Opens one connection of a kind. */
    private interface Connector {
        RoundTrip open() throws Exception;
    }

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
            PkiFiles pki = node.pki();
            byte[] ping = EnvelopeCodec.encode(new Request(1, null, "api", "ping", Json.object(), null));
            NetServer tlsEcho = echo(vertx, Tls.server(NodeKeyManager.read(pki), pki, List.of("TLSv1.3")));
            NetServer tcpEcho = echo(vertx, new NetServerOptions().setTcpNoDelay(true));
            System.out.printf("api.ping over mutual TLS 1.3, closed loop per connection, warmup %d s, measure %d s%n", warmup, measure);
            System.out.printf("%-9s %12s %12s %10s %10s %10s %10s%n", "server", "connections", "requests/s", "p50 us", "p99 us", "p99.9 us", "max us");
            for (String c : counts) {
                int connections = Integer.parseInt(c.trim());
                run("acp", connections, warmup, measure, () -> {
                    TlsTestClient client = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate());
                    client.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
                    return roundTrip(client, () -> {
                        Response r = client.call(null, "api", "ping", null, null);
                        if (!(r instanceof Response.Result)) {
                            throw new IllegalStateException("ping failed: " + r);
                        }
                    });
                });
                run("tls-echo", connections, warmup, measure, () -> {
                    TlsTestClient client = TlsTestClient.connect(tlsEcho.actualPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate());
                    return roundTrip(client, () -> {
                        client.send(ping);
                        client.receiveFrame();
                    });
                });
                run("tcp-echo", connections, warmup, measure, () -> {
                    Socket socket = new Socket("127.0.0.1", tcpEcho.actualPort());
                    socket.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                    OutputStream out = socket.getOutputStream();
                    byte[] frame = Frames.frame(ping);
                    return roundTrip(socket, () -> {
                        out.write(frame);
                        in.readFully(new byte[in.readInt()]);
                    });
                });
            }
            tlsEcho.close().toCompletionStage().toCompletableFuture().join();
            tcpEcho.close().toCompletionStage().toCompletableFuture().join();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0); // the stack's worker pools are not daemon threads and would keep the JVM alive
    }

    /** A server that answers each length-prefixed frame with the same frame. */
    private static NetServer echo(Vertx vertx, NetServerOptions options) {
        NetServer server = vertx.createNetServer(options).connectHandler(socket -> {
            RecordParser parser = RecordParser.newFixed(Frames.HEADER_BYTES);
            Buffer[] header = new Buffer[1];
            parser.handler(part -> {
                if (header[0] == null) {
                    header[0] = part;
                    parser.fixedSizeMode(part.getInt(0));
                } else {
                    socket.write(header[0].appendBuffer(part));
                    header[0] = null;
                    parser.fixedSizeMode(Frames.HEADER_BYTES);
                }
            });
            socket.handler(parser);
        });
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    }

    private static RoundTrip roundTrip(AutoCloseable connection, Exchange once) {
        return new RoundTrip() {
            @Override
            public void once() throws Exception {
                once.once();
            }

            @Override
            public void close() throws Exception {
                connection.close();
            }
        };
    }

    private static void run(String server, int connections, int warmup, int measure, Connector connector) throws Exception {
        AtomicBoolean recording = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> samples = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            RoundTrip connection = connector.open();
            long[] mine = new long[Math.max(100_000, 4_000_000 / connections)];
            int[] n = new int[1];
            samples.add(mine);
            counts.add(n);
            Thread t = new Thread(() -> {
                try (connection) {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        connection.once();
                        long took = System.nanoTime() - start;
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
        System.out.printf("%-9s %12d %12.0f %10.0f %10.0f %10.0f %10.0f%n", server, connections, total / seconds,
                pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), all.length == 0 ? 0 : all[all.length - 1] / 1e3);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e3;
    }
}
