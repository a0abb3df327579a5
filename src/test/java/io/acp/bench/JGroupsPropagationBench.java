package io.acp.bench;

import io.acp.cluster.sync.bench.ThreadAlloc;
import io.acp.cluster.sync.bench.ThreadCpu;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;

/**
 * The peer of {@code SyncPropagationBench} for docs/benchmarks.md: the same load (N members in one
 * JVM on loopback multicast, updates of ~100 bytes at a paced total rate in 1 ms bursts, round-robin
 * over the members) through JGroups' stock {@code udp.xml} stack (UDP multicast, NAKACK2/UNICAST3
 * retransmission, flow control, no encryption). Every other member records the time from the start
 * of {@code send} until its receiver has the message (one JVM, one clock).
 *
 * <p>Usage: {@code java -Djava.net.preferIPv4Stack=true -cp … io.acp.bench.JGroupsPropagationBench [members=8] [rate=10000] [seconds=5] [warmupSeconds=5]}
 * The warm-up (not measured) lets the JIT compile the hot paths, crypto included, first.
 * Traffic stays on loopback: bind address 127.0.0.1, TTL 1, a random group and port.
 */
public final class JGroupsPropagationBench {

    private static final int PAYLOAD = 100;

    private JGroupsPropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        System.setProperty("java.net.preferIPv4Stack", "true");
        System.setProperty("jgroups.bind_addr", "127.0.0.1");
        System.setProperty("jgroups.udp.ip_ttl", "1");
        System.setProperty("jgroups.udp.mcast_addr", "239.78." + random.nextInt(1, 250) + "." + random.nextInt(1, 250));
        System.setProperty("jgroups.udp.mcast_port", String.valueOf(random.nextInt(40_000, 60_000)));

        long[] latencies = new long[rate * (seconds + 1) * (members - 1)];
        AtomicInteger count = new AtomicInteger();
        AtomicLong measuring = new AtomicLong(); // 0 warm-up, 1 measuring, 2 done
        List<JChannel> channels = new ArrayList<>();
        try {
            for (int m = 0; m < members; m++) {
                JChannel ch = new JChannel("udp.xml").name("m" + m);
                int self = m;
                ch.setReceiver(new Receiver() {
                    @Override
                    public void receive(Message msg) {
                        long now = System.nanoTime();
                        ByteBuffer b = ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength());
                        long sentAt = b.getLong();
                        int from = b.getInt();
                        if (from == self || measuring.get() != 1) {
                            return;
                        }
                        int i = count.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = now - sentAt;
                        }
                    }
                });
                ch.connect("acp-bench");
                channels.add(ch);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (channels.get(0).getView().size() < members) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + channels.get(0).getView().size() + " of " + members + " members joined in 30 s");
                }
                Thread.sleep(50);
            }

            int perMs = Math.max(1, rate / 1000);
            long start = System.nanoTime();
            long warmupEnd = start + warmup * 1_000_000_000L;
            long end = warmupEnd + seconds * 1_000_000_000L;
            long sent = 0;
            long failed = 0;
            ThreadCpu cpuAtStart = ThreadCpu.snapshot();
            ThreadAlloc allocAtStart = ThreadAlloc.snapshot();
            for (long tick = start; System.nanoTime() < end; tick += 1_000_000L) {
                if (measuring.get() == 0 && System.nanoTime() >= warmupEnd) {
                    cpuAtStart = ThreadCpu.snapshot();
                    allocAtStart = ThreadAlloc.snapshot();
                    measuring.set(1);
                }
                for (int i = 0; i < perMs; i++, sent++) {
                    int from = (int) (sent % members);
                    byte[] payload = new byte[PAYLOAD];
                    ByteBuffer.wrap(payload).putLong(System.nanoTime()).putInt(from).putLong(sent);
                    try {
                        channels.get(from).send(new BytesMessage(null, payload));
                    } catch (Exception e) {
                        failed++;
                    }
                }
                long sleep = tick + 1_000_000L - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
                }
            }
            Thread.sleep(200);
            measuring.set(2);
            ThreadCpu cpu = ThreadCpu.snapshot().minus(cpuAtStart);
            ThreadAlloc alloc = ThreadAlloc.snapshot().minus(allocAtStart);
            int n = Math.min(count.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            System.out.printf("JGroups %s, udp.xml, members %d, rate %d messages/s of %d B, %d s measured%n",
                    org.jgroups.Version.printVersion(), members, rate, PAYLOAD, seconds);
            System.out.printf("deliveries %d (expected about %d), send failures %d%n", n, (long) rate * seconds * (members - 1), failed);
            System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                    ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 0.999), n == 0 ? 0 : sorted[n - 1] / 1e6);
            System.out.printf("CPU per delivered update (measured part): %s%n", cpu.perItem(n));
            System.out.printf("heap allocated per delivered update (measured part): %s%n", alloc.perItem(n));
        } finally {
            for (int i = channels.size() - 1; i >= 0; i--) {
                channels.get(i).close();
            }
        }
        System.exit(0);
    }

    private static double ms(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }
}
