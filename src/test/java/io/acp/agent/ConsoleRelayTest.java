package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.api.ApiIdentity;
import io.acp.api.Role;
import io.acp.console.ByteEnd;
import io.acp.console.ConsoleKind;
import io.acp.console.NetSocketEnd;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console of a system on node b, opened from node a: through a's real agent client and b's real
 * agent (mutual TLS with certificates of one TestPki-style CA), {@code console.attach} on b, and
 * b's relay to the console's socket. The console is a loopback TCP server that speaks first, as a
 * VNC display does, and echoes what it gets; the hypervisor's lookup of the display is replaced by
 * it (there is no display under the libvirt test driver); the KVM browser test covers the real one.
 */
class ConsoleRelayTest extends WithVertx {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final ApiIdentity OPERATOR = new ApiIdentity("op", Role.OPERATOR);
    private static final ApiIdentity READER = new ApiIdentity("reader", Role.READ_ONLY);

    @TempDir
    Path dir;
    AgentStack a;
    AgentStack b;
    NetServer display;
    final AtomicInteger displayConnections = new AtomicInteger();
    final AtomicInteger displayOpened = new AtomicInteger();

    @BeforeEach
    void startTwoNodesAndADisplay() throws Exception {
        a = AgentStack.start(vertx, "a", dir.resolve("a"));
        ClusterPki.addNode(a.pki(), PkiFiles.in(dir.resolve("b/data")), "b", Duration.ofDays(30));
        b = AgentStack.start(vertx, "b", dir.resolve("b"));
        a.learnAddressOf(b);
        display = vertx.createNetServer().connectHandler(this::displayConnection);
        display.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        int port = display.actualPort();
        b.api.openConsolesThrough((id, kind) -> !id.equals("vm1") ? Uni.createFrom().failure(AcpException.notFound("system " + id + " on node b"))
                : Uni.createFrom().completionStage(() -> vertx.createNetClient().connect(port, "127.0.0.1")
                        .map(s -> {
                            s.pause();
                            return (ByteEnd) new NetSocketEnd(s, Buffer.buffer());
                        }).toCompletionStage()));
    }

    private void displayConnection(NetSocket s) {
        displayOpened.incrementAndGet();
        displayConnections.incrementAndGet();
        s.closeHandler(v -> displayConnections.decrementAndGet());
        s.write("RFB 003.008\n");
        s.handler(s::write);
    }

    @AfterEach
    void stop() {
        display.close().toCompletionStage().toCompletableFuture().join();
        b.close();
        a.close();
    }

    @Test
    void bytesGoBothWaysThroughBsAgentAndClosingEndsTheConsoleOnB() throws Exception {
        int agentConnections = b.agent.connectionCount();
        ByteEnd console = a.api.openConsole("b", "vm1", ConsoleKind.VNC, OPERATOR, Duration.ofMinutes(1)).await().atMost(LIMIT);
        StringBuilder got = new StringBuilder(console.alreadyRead().toString(StandardCharsets.US_ASCII));
        console.handler(chunk -> {
            synchronized (got) {
                got.append(chunk.toString(StandardCharsets.US_ASCII));
            }
        });
        console.write(Buffer.buffer("key presses"));
        until(() -> {
            synchronized (got) {
                return got.toString().equals("RFB 003.008\nkey presses");
            }
        });
        assertThat(displayConnections.get()).isEqualTo(1);
        assertThat(b.agent.connectionCount()).isEqualTo(agentConnections + 1);

        console.close();
        // b's relay sees its agent connection close and closes the display's socket: nothing stays open.
        until(() -> displayConnections.get() == 0 && b.agent.connectionCount() == agentConnections);
    }

    @Test
    void aReadOnlyCallerIsRefusedByTheNodeItAsksAndByTheNodeThatRunsTheSystem() {
        assertThatThrownBy(() -> a.api.openConsole("b", "vm1", ConsoleKind.VNC, READER, Duration.ofMinutes(1)).await().atMost(LIMIT))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        // A node that did not check (or lies about) its caller: b checks the role again.
        Request asReader = new Request(1, "b", "console", "attach", Json.object().put("id", "vm1").put("kind", "vnc"), null,
                new Request.Caller("reader", Role.READ_ONLY.wireName()));
        assertThatThrownBy(() -> a.agent.remote().attach(asReader).await().atMost(LIMIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).contains("reader");
                });
        assertThat(displayOpened.get()).isZero();
    }

    @Test
    void aUserKeyCannotAttachThroughTheAgentWithoutANodeCertificateVouchingForIt() {
        try (io.acp.api.client.ApiClient c = io.acp.api.client.ApiClient.connect(new io.acp.api.client.ApiEndpoint.Tcp("127.0.0.1", b.api.tcpPort()),
                AgentStack.ADMIN_KEY, LIMIT)) {
            assertThatThrownBy(() -> c.call("console", "attach", Json.object().put("id", "vm1").put("kind", "vnc")))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        }
        assertThat(displayOpened.get()).isZero();
    }

    @Test
    void aSystemNotOnTheNodeIsAnsweredWithItsErrorAndNothingStaysOpen() throws Exception {
        int agentConnections = b.agent.connectionCount();
        assertThatThrownBy(() -> a.api.openConsole("b", "vm2", ConsoleKind.SERIAL, OPERATOR, Duration.ofMinutes(1)).await().atMost(LIMIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("vm2");
                });
        until(() -> b.agent.connectionCount() == agentConnections);
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", LIMIT).isLessThan(end);
            Thread.sleep(20);
        }
    }
}
