package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated frames, seeded so a failure replays, thrown at the agent (through TLS) and at
 * the local API's TCP port: afterwards the node still answers and no connection is left open.
 */
class AgentFuzzTest extends WithVertx {

    private static final long SEED = 0x5eed_ac94L;
    private static final int ROUNDS = 120;

    @TempDir
    Path dir;

    @Test
    void randomAndMutatedFramesNeitherCrashNorLeak() throws Exception {
        Random random = new Random(SEED);
        try (AgentStack node = AgentStack.start(vertx, "a", dir)) {
            PkiFiles pki = node.pki();
            for (int round = 0; round < ROUNDS; round++) {
                byte[] bytes = garbage(random, round);
                boolean viaAgent = round % 2 == 0;
                if (viaAgent) {
                    try (TlsTestClient c = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate())) {
                        c.sendRaw(bytes);
                    }
                } else {
                    try (Socket s = new Socket("127.0.0.1", node.api.tcpPort())) {
                        s.setSoTimeout(100);
                        OutputStream out = s.getOutputStream();
                        out.write(bytes);
                        out.flush();
                        drainBriefly(s.getInputStream());
                    }
                }
            }
            try (TlsTestClient c = TlsTestClient.connect(node.agentPort(), pki.nodeKey(), pki.nodeCertificate(), pki.caCertificate())) {
                Response r = c.call(null, "api", "ping", null, AgentStack.ADMIN_KEY);
                assertThat(r).as("seed %x", SEED).isInstanceOf(Response.Result.class);
            }
            awaitNoConnections(node);
        }
    }

    /** Half the rounds: a valid request with some bytes flipped, cut or repeated; the rest: noise. */
    private static byte[] garbage(Random random, int round) {
        if (round % 4 < 2) {
            ObjectNode args = Json.object().put("type", "node").put("id", "n" + random.nextInt(10));
            byte[] frame = Frames.frame(EnvelopeCodec.encode(new Request(1 + random.nextInt(100), null, "cluster", "get", args, AgentStack.ADMIN_KEY)));
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
            }
            if (random.nextBoolean()) {
                return java.util.Arrays.copyOf(frame, random.nextInt(frame.length) + 1);
            }
            return frame;
        }
        byte[] noise = new byte[1 + random.nextInt(600)];
        random.nextBytes(noise);
        if (random.nextBoolean()) { // a plausible small length prefix, so the body is parsed as JSON
            noise[0] = 0;
            noise[1] = 0;
            noise[2] = 0;
        }
        return noise;
    }

    private static void drainBriefly(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // answers to garbage: read until the server goes quiet or closes
            }
        } catch (SocketTimeoutException quiet) {
            // the server is waiting for the rest of a frame: the client leaves
        }
    }

    private static void awaitNoConnections(AgentStack node) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((node.agent.connectionCount() > 0 || node.api.connectionCount() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(node.agent.connectionCount()).as("agent connections left open").isZero();
        assertThat(node.api.connectionCount()).as("API connections left open").isZero();
    }
}
