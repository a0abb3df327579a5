package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node process killed or its journal damaged, then restarted on the same data directory. */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CrashRecoveryIT {

    /** The journal's ERROR line when it cuts a bad tail: names the journal and the cut. */
    private static final Pattern CUT_LINE = Pattern.compile(".*ERROR.*journal.*cut.*", Pattern.CASE_INSENSITIVE);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKill9() throws Exception {
        try (NodeProcess node = NodeProcess.start("crash1", dir)) {
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> writerEnd = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (ApiClient api = node.client()) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        String id = "d-" + i;
                        api.call("cluster", "put", Json.object().put("type", "alarm").put("id", id).set("spec", Json.object().put("i", i)));
                        acknowledged.add(id);
                    }
                    writerEnd.set(new AssertionError("the writer ran out of time before the node was killed"));
                } catch (Throwable t) {
                    writerEnd.set(t);
                }
            }, "acked-writer");
            writer.start();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.size() < 40 && System.nanoTime() < deadline && writer.isAlive()) {
                Thread.sleep(20);
            }
            assertThat(acknowledged).as("writes acknowledged before the kill (writer: %s)", writerEnd.get()).hasSizeGreaterThanOrEqualTo(40);
            node.kill();
            writer.join(30_000);
            assertThat(writer.isAlive()).isFalse();
            assertThat(writerEnd.get()).as("the writer stopped because the node died")
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isIn(ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT));

            node.restart();
            CliResult list = AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + node.dataDir()), Duration.ofSeconds(60),
                    "get", "alarm", "--json", "--socket", node.socket().toString());
            assertThat(list.exitCode()).as("%s", list).isZero();
            Map<String, Integer> present = new HashMap<>();
            for (JsonNode e : Json.MAPPER.readTree(list.stdout())) {
                present.put(e.path("id").asText(), e.path("spec").path("i").asInt());
            }
            assertThat(present.keySet()).containsAll(acknowledged);
            for (String id : acknowledged) {
                assertThat(present.get(id)).as(id).isEqualTo(Integer.parseInt(id.substring(2)));
            }
        }
    }

    @Test
    void aCorruptJournalTailIsCutAndEarlierObjectsSurvive() throws Exception {
        try (NodeProcess node = NodeProcess.start("tail1", dir)) {
            putObjects(node, 0, 5);
            assertThat(node.terminate(Duration.ofSeconds(60))).isIn(0, 143);

            // 1. Garbage after the last record.
            assertThat(node.journal()).exists();
            byte[] garbage = new byte[37];
            new Random(42).nextBytes(garbage);
            Files.write(node.journal(), garbage, StandardOpenOption.APPEND);
            node.restart();
            assertCutReported(node);
            assertObjects(node, 5);

            // 2. A record whose header promises more bytes than follow (a write torn by a crash).
            putObjects(node, 5, 6);
            assertThat(node.terminate(Duration.ofSeconds(60))).isIn(0, 143);
            byte[] partial = "{\"kind\":\"object\",\"type\":\"alarm\",\"id\":\"torn\",\"spec\":{".getBytes(StandardCharsets.UTF_8);
            ByteBuffer torn = ByteBuffer.allocate(8 + partial.length);
            torn.putInt(500).putInt(0x1234abcd).put(partial);  // length, CRC32C, payload (docs/operations.md)
            Files.write(node.journal(), torn.array(), StandardOpenOption.APPEND);
            node.restart();
            assertCutReported(node);
            assertObjects(node, 6);
        }
    }

    private static void putObjects(NodeProcess node, int from, int to) throws Exception {
        try (ApiClient api = node.client()) {
            for (int i = from; i < to; i++) {
                api.call("cluster", "put", Json.object().put("type", "alarm").put("id", "t-" + i).set("spec", Json.object().put("i", i)));
            }
        }
    }

    private static void assertCutReported(NodeProcess node) throws Exception {
        assertThat(node.logLines()).as("the node's log after restart").anySatisfy(l -> assertThat(l).matches(CUT_LINE));
    }

    private static void assertObjects(NodeProcess node, int count) throws Exception {
        try (ApiClient api = node.client()) {
            for (int i = 0; i < count; i++) {
                JsonNode e = api.call("cluster", "get", Json.object().put("type", "alarm").put("id", "t-" + i));
                assertThat(e.path("spec").path("i").asInt()).isEqualTo(i);
            }
        }
    }
}
