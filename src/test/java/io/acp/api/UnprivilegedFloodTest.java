package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bounded floods by an unprivileged local user (uid 65534 through {@code setpriv}, a real process on
 * the real TCP listener) while the admin keeps using the Unix socket: wrong keys as fast as eight
 * connections can send them, and 2,000 unauthenticated connections each announcing a 1 MiB frame.
 * The flooder is limited (its own failed-authentication bucket, its own connection cap); the admin
 * is answered every time and the node's memory does not follow the announced lengths.
 */
class UnprivilegedFloodTest extends WithNode {

    private static final String FLOODER = String.join("\n",
            "import json, resource, socket, struct, sys, threading, time",
            "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)",
            "resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))",
            "mode, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])",
            "end = time.time() + secs",
            "def frame(o):",
            "    b = json.dumps(o).encode()",
            "    return struct.pack('>I', len(b)) + b",
            "if mode == 'keys':",
            "    stats = {'sent': 0, 'limited': 0, 'unauthorized': 0, 'closed': 0}",
            "    def worker(w):",
            "        i = 0",
            "        while time.time() < end:",
            "            try:",
            "                s = socket.create_connection(('127.0.0.1', port)); s.settimeout(2); f = s.makefile('rb')",
            "                while time.time() < end:",
            "                    i += 1",
            "                    s.sendall(frame({'id': i, 'service': 'api', 'op': 'ping', 'args': {}, 'key': 'acp_wrong-%d-%d' % (w, i)}))",
            "                    stats['sent'] += 1",
            "                    h = f.read(4)",
            "                    if len(h) < 4:",
            "                        stats['closed'] += 1; break",
            "                    body = f.read(struct.unpack('>I', h)[0])",
            "                    if b'rate_limited' in body: stats['limited'] += 1",
            "                    elif b'unauthorized' in body: stats['unauthorized'] += 1",
            "                s.close()",
            "            except OSError:",
            "                stats['closed'] += 1",
            "    ts = [threading.Thread(target=worker, args=(w,)) for w in range(8)]",
            "    [t.start() for t in ts]; [t.join() for t in ts]",
            "    print(json.dumps(stats), flush=True)",
            "else:",
            "    n = int(sys.argv[4]); socks = []; refused = 0",
            "    for i in range(n):",
            "        try:",
            "            s = socket.create_connection(('127.0.0.1', port)); s.sendall(struct.pack('>I', 1 << 20) + b'x' * 16); socks.append(s)",
            "        except OSError:",
            "            refused += 1",
            "    print('ready', flush=True)",
            "    time.sleep(max(0, end - time.time()))",
            "    alive = 0",
            "    for s in socks:",
            "        try:",
            "            s.setblocking(False); d = s.recv(1)",
            "            alive += 0 if d == b'' else 1",
            "        except BlockingIOError:",
            "            alive += 1",
            "        except OSError:",
            "            pass",
            "    print(json.dumps({'opened': len(socks), 'refused': refused, 'alive': alive}), flush=True)") + "\n";

    private Process flooder(String... args) throws IOException {
        Path script = dir.resolve("flood.py");
        Files.writeString(script, FLOODER);
        script.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "/usr/bin/python3",
                script.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private void adminIsAnswered(int times) throws Exception {
        for (int i = 0; i < times; i++) {
            // A fresh connection each time: its authentication goes through the limiter too.
            try (TestClient admin = node.unixClient().withKey(TestNode.ADMIN_KEY)) {
                JsonNode pong = admin.result("api", "ping", null);
                assertThat(pong.path("pong").asBoolean()).as("admin ping %d during the flood", i).isTrue();
            }
            Thread.sleep(250);
        }
    }

    @Test
    void aFloodOfWrongKeysFromAnotherUserNeverLocksOutTheAdmin() throws Exception {
        Process flood = flooder("keys", Integer.toString(node.api.tcpPort()), "6");
        Thread.sleep(1000);
        adminIsAnswered(12);
        assertThat(flood.waitFor(30, TimeUnit.SECONDS)).isTrue();
        JsonNode stats = Json.MAPPER.readTree(new BufferedReader(new InputStreamReader(flood.getInputStream(), StandardCharsets.UTF_8)).readLine());
        assertThat(stats.path("limited").asLong()).as("the flooder hit its own limit: %s", stats).isPositive();
    }

    @Test
    void twoThousandConnectionsAnnouncingOneMebibyteCostLittleAndTheAdminIsServed() throws Exception {
        long rssBefore = rssKiB();
        Process flood = flooder("announce", Integer.toString(node.api.tcpPort()), "8", "2000");
        BufferedReader out = new BufferedReader(new InputStreamReader(flood.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        adminIsAnswered(10);
        int open = node.api.connectionCount();
        long rssDuring = rssKiB();
        assertThat(flood.waitFor(30, TimeUnit.SECONDS)).isTrue();
        JsonNode stats = Json.MAPPER.readTree(out.readLine());
        System.out.printf("flood of 2000 connections announcing 1 MiB: %s; connections served %d; RSS %d -> %d KiB%n", stats, open,
                rssBefore, rssDuring);
        assertThat(open).as("one peer's connections on the TCP listener").isLessThanOrEqualTo(64 + 1);
        assertThat(stats.path("alive").asInt()).as("connections kept by the node: %s", stats).isLessThanOrEqualTo(64);
        // Before the fix each announced frame reserved 1 MiB: 2,000 of them ~2 GiB. Now 64 at most, each a few KiB.
        assertThat(rssDuring - rssBefore).as("RSS growth in KiB").isLessThan(128 * 1024);
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
