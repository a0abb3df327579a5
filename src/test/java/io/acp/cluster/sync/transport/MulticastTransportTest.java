package io.acp.cluster.sync.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.acp.testing.Eventually.await;

import io.acp.testing.Ports;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Real sockets on loopback multicast: group delivery, unicast replies, lost sends never throw. */
class MulticastTransportTest {

    private record Got(String text, InetSocketAddress from) {
    }

    @Test
    void broadcastReachesEveryMemberAndUnicastReachesTheSender() throws Exception {
        String group = Ports.randomGroup();
        int port = Ports.freeUdpPort();
        List<Got> atA = new CopyOnWriteArrayList<>();
        List<Got> atB = new CopyOnWriteArrayList<>();
        try (MulticastTransport a = new MulticastTransport(group, port, "lo", 1);
             MulticastTransport b = new MulticastTransport(group, port, "lo", 1)) {
            a.start((d, n, from) -> atA.add(new Got(new String(d, 0, n, StandardCharsets.UTF_8), from)));
            b.start((d, n, from) -> atB.add(new Got(new String(d, 0, n, StandardCharsets.UTF_8), from)));

            a.broadcast("hello".getBytes(StandardCharsets.UTF_8));
            await(Duration.ofSeconds(5), () -> atB.stream().anyMatch(g -> g.text.equals("hello")), "datagram handled");
            Got hello = atB.stream().filter(g -> g.text.equals("hello")).findFirst().orElseThrow();
            assertThat(hello.from).isEqualTo(a.localAddress());

            b.unicast(hello.from, "reply".getBytes(StandardCharsets.UTF_8));
            await(Duration.ofSeconds(5), () -> atA.stream().anyMatch(g -> g.text.equals("reply")), "datagram handled");
            assertThat(atB).noneMatch(g -> g.text.equals("reply"));
            assertThat(a.counters().sent()).isEqualTo(1);
            assertThat(b.counters().received()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aSendThatFailsIsCountedAsLostNotThrown() throws Exception {
        try (MulticastTransport a = new MulticastTransport(Ports.randomGroup(), Ports.freeUdpPort(), "lo", 1)) {
            a.start((d, n, from) -> { });
            // larger than any UDP payload: the kernel refuses it
            a.broadcast(new byte[70_000]);
            await(Duration.ofSeconds(5), () -> a.counters().sendFailed() == 1, "datagram handled");
            assertThat(a.counters().sent()).isZero();
        }
    }

    @Test
    void badSettingsAreRefusedAtOnce() {
        assertThatThrownBy(() -> new MulticastTransport("10.0.0.1", 7447, "lo", 1)).hasMessageContaining("not an IPv4 multicast address");
        assertThatThrownBy(() -> new MulticastTransport("239.1.1.1", 7447, "no-such-nic0", 1)).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new MulticastTransport("239.1.1.1", 7447, "lo", 0)).hasMessageContaining("TTL");
    }
}
