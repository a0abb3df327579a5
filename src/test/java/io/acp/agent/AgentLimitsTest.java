package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.io.EOFException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Oversized, idle, too many and too chatty clients of the agent, on a real TLS port. */
class AgentLimitsTest extends WithVertx {

    @TempDir
    Path dir;

    private static TlsTestClient connect(AgentStack node) throws Exception {
        PkiFiles pki = node.pki();
        return TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate());
    }

    @Test
    void anOversizedFrameIsRefusedAndTheConnectionStaysUsable() throws Exception {
        try (AgentStack node = AgentStack.start(vertx, "a", dir); TlsTestClient c = connect(node)) {
            byte[] big = new byte[4 + 5000]; // the test agent's limit is 4096 bytes
            big[2] = (byte) (5000 >> 8);
            big[3] = (byte) (5000 & 0xff);
            c.sendRaw(big);
            Response r = c.receive();
            assertThat(r).isInstanceOf(Response.Failure.class);
            assertThat(((Response.Failure) r).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(((Response.Failure) r).message()).contains("5000");
            assertThat(c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        AgentConfig config = AgentStack.config(List.of("TLSv1.3")).withIdleTimeout(Duration.ofMillis(300));
        try (AgentStack node = AgentStack.start(vertx, "a", dir, config); TlsTestClient c = connect(node)) {
            assertThatThrownBy(c::receive).as("closed by the node, not by the client's 10 s read timeout")
                    .isInstanceOfAny(EOFException.class, java.net.SocketException.class, javax.net.ssl.SSLException.class);
        }
    }

    @Test
    void aClientOverItsConnectionLimitIsCut() throws Exception {
        AgentConfig config = AgentStack.config(List.of("TLSv1.3")).withClientLimits(2, 100_000);
        try (AgentStack node = AgentStack.start(vertx, "a", dir, config); TlsTestClient one = connect(node); TlsTestClient two = connect(node)) {
            assertThat(one.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
            assertThat(two.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).isInstanceOf(Response.Result.class);
            assertThatThrownBy(() -> {
                try (TlsTestClient three = connect(node)) {
                    three.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
                }
            }).isInstanceOfAny(EOFException.class, java.net.SocketException.class, javax.net.ssl.SSLException.class);
            one.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (node.agent.connectionCount() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try (TlsTestClient again = connect(node)) {
                assertThat(again.call(null, "api", "ping", null, AgentStack.ADMIN_KEY)).as("a slot is free again").isInstanceOf(Response.Result.class);
            }
        }
    }

    @Test
    void requestsOverTheClientsRateAreRateLimited() throws Exception {
        AgentConfig config = AgentStack.config(List.of("TLSv1.3")).withClientLimits(8, 5);
        try (AgentStack node = AgentStack.start(vertx, "a", dir, config); TlsTestClient c = connect(node)) {
            int limited = 0;
            for (int i = 0; i < 20; i++) {
                Response r = c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
                if (r instanceof Response.Failure f) {
                    assertThat(f.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(f.message()).contains("acp.agent.requests-per-second");
                    limited++;
                }
            }
            assertThat(limited).as("20 requests at once against 5/s").isGreaterThanOrEqualTo(10);
        }
    }
}
