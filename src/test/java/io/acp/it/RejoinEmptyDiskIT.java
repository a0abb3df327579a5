package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that comes back with an empty disk never contradicts a write it acknowledged before:
 * from its first answer on, every read of those objects is either the acknowledged write (or a
 * later one) or {@code not_ready} while it says {@code syncing}; never {@code not_found}. Two real
 * nodes ({@code acp node run}) syncing over multicast on loopback.
 *
 * <p>The disk is lost once the writes are sealed: in a small cluster a write reaches the peers
 * under a pair tag, and its author's seal, which lets a peer relay it, follows at the author's next
 * heartbeat. A write whose author loses its disk before that comes back to the author by another
 * way, returned by the peers that hold it (docs/protocol.md, "Returned objects"; tested by
 * ReturnedObjectsTest); this test is about the writes that were sealed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RejoinEmptyDiskIT {

    @TempDir
    Path dir;
    private NodeProcess a;
    private NodeProcess b;

    @AfterEach
    void stop() throws Exception {
        NodeProcess.closeAll(b, a);
    }

    @Test
    void aNodeRejoiningWithAnEmptyDiskNeverContradictsAnAcknowledgedWrite() throws Exception {
        List<String> sync = LoopbackSync.options("cluster,api",
                "-Xmx160m", "-Dacp.cluster.sync.secret=rejoin-test-secret-0123456789", "-Dacp.cluster.journal.fsync=false");
        a = NodeProcess.start("a", Files.createDirectories(dir.resolve("a")), List.of(), sync);
        b = NodeProcess.start("b", Files.createDirectories(dir.resolve("b")), List.of(), sync);
        int count = 600; // about 2.5 MB: several anti-entropy answers
        Map<String, String> acknowledged = new TreeMap<>();
        try (ApiClient api = a.client()) {
            for (int i = 0; i < count; i++) {
                JsonNode e = api.call("cluster", "put", Json.object().put("type", "alarm").put("id", "w" + i)
                        .set("spec", Json.object().put("i", i).put("pad", "p".repeat(4000))));
                acknowledged.put("w" + i, e.path("version").asText());
            }
        }
        Convergence.await(List.of(a, b), acknowledged.keySet(), Duration.ofSeconds(60));
        awaitSealed(a, Duration.ofSeconds(30));

        a.kill();
        try (Stream<Path> files = Files.walk(a.dataDir())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); // a new, empty disk
        }
        a.restart();

        List<String> contradictions = new ArrayList<>();
        int notReady = 0;
        int answered = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean all = false;
        try (ApiClient api = a.client()) {
            while (!all && System.nanoTime() < deadline) {
                all = true;
                for (Map.Entry<String, String> w : acknowledged.entrySet()) {
                    try {
                        JsonNode got = api.call("cluster", "get", Json.object().put("type", "alarm").put("id", w.getKey()));
                        answered++;
                        if (!got.path("version").asText().equals(w.getValue())) { // nothing wrote them since
                            contradictions.add(w.getKey() + ": version " + got.path("version").asText() + ", acknowledged " + w.getValue());
                        }
                    } catch (AcpException e) {
                        all = false;
                        if (e.code() == ErrorCode.NOT_READY || e.code() == ErrorCode.UNAVAILABLE) {
                            notReady++;
                        } else {
                            contradictions.add(w.getKey() + ": " + e.code().wireName() + " " + e.getMessage());
                        }
                    }
                    if (contradictions.size() > 5) {
                        break;
                    }
                }
                if (contradictions.size() > 5) {
                    break;
                }
            }
            assertThat(contradictions).as("answers of the rejoined node that contradict acknowledged writes").isEmpty();
            assertThat(all).as("the rejoined node answers every acknowledged write within 60 s").isTrue();
            // it may hold everything a moment before it can tell (equal digests, or clean anti-entropy rounds)
            Convergence.until(Duration.ofSeconds(30), () -> api.call("framework", "status", Json.object()).path("readiness").asText().equals("ready"),
                    () -> "the rejoined node says ready in its status");
        }
        System.out.printf("rejoined node: %d answers, %d not_ready/unavailable while syncing, 0 contradictions%n", answered, notReady);
        Convergence.await(List.of(a, b), acknowledged.keySet(), Duration.ofSeconds(30));
    }

    /**
     * Waits until the node's sync stats, in a sample published after this call began, say that
     * nothing it sent under pair tags is waiting for its seal ({@code sync.seals.awaiting}).
     */
    private static void awaitSealed(NodeProcess node, Duration atMost) throws Exception {
        try (ApiClient api = node.client()) {
            String first = syncStats(api, node).path("version").asText();
            Convergence.until(atMost, () -> {
                JsonNode now = syncStats(api, node);
                return !now.path("version").asText().equals(first) && now.path("values").path("sync.seals.awaiting").asLong(-1) == 0;
            }, () -> "node " + node.id() + " sealed what it sent under pair tags");
        }
    }

    private static JsonNode syncStats(ApiClient api, NodeProcess node) {
        for (JsonNode e : api.call("cluster", "stats", Json.object().put("type", "service").put("id", node.id() + ":cluster"))) {
            if (e.path("node").asText().equals(node.id())) {
                return e;
            }
        }
        return Json.object();
    }
}
