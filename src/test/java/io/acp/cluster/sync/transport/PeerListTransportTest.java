package io.acp.cluster.sync.transport;

import static io.acp.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.testing.Ports;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The unicast fallback on real loopback sockets: "broadcast" reaches every listed peer but not the sender. */
class PeerListTransportTest {

    @Test
    void broadcastReachesEveryPeerOnce() throws Exception {
        List<String> all = List.of("127.0.0.1:" + Ports.freeUdpPort(), "127.0.0.1:" + Ports.freeUdpPort(), "127.0.0.1:" + Ports.freeUdpPort());
        AtomicInteger[] got = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        PeerListTransport[] t = new PeerListTransport[3];
        try {
            for (int i = 0; i < 3; i++) {
                int me = i;
                t[i] = new PeerListTransport(all.get(i), all);
                t[i].start((d, n, from) -> got[me].incrementAndGet());
            }
            t[0].broadcast(new byte[] {1, 2, 3});
            await(Duration.ofSeconds(5), () -> got[1].get() == 1 && got[2].get() == 1, "both peers got the datagram");
            assertThat(got[0].get()).as("no datagram to itself").isZero();
            assertThat(t[0].counters().sent()).isEqualTo(2);
        } finally {
            for (PeerListTransport x : t) {
                if (x != null) {
                    x.close();
                }
            }
        }
    }

    @Test
    void badAddressesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> PeerListTransport.parse("10.0.0.1")).hasMessageContaining("'10.0.0.1' is not host:port");
        assertThatThrownBy(() -> PeerListTransport.parse("10.0.0.1:x")).hasMessageContaining("no numeric port");
        assertThatThrownBy(() -> PeerListTransport.parse("10.0.0.1:70000")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> new PeerListTransport("127.0.0.1:7000", List.of())).hasMessageContaining("at least one peer");
    }
}
