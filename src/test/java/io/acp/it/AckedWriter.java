package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Writes objects to one node at a pace, remembering which writes the node acknowledged. */
final class AckedWriter {

    private final Thread thread;
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final List<String> errors = new ArrayList<>();

    private AckedWriter(NodeProcess node, List<String> ids, Duration pace, boolean shared) {
        thread = new Thread(() -> {
            try (ApiClient api = node.client()) {
                int i = 0;
                for (String id : ids) {
                    try {
                        api.call("cluster", "put", Json.object().put("type", "alarm").put("id", id)
                                .set("spec", Json.object().put("writer", node.id()).put("i", i++)));
                        acked.add(id);
                    } catch (AcpException e) {
                        // Where several nodes write the same ids, a write another node's newer version
                        // overtook while it was being journaled is answered "lost to": last writer wins,
                        // and the loser is told. That is the CDB's answer, not a fault of the node.
                        if (!(shared && e.code() == ErrorCode.CONFLICT && e.getMessage().contains(" lost to version "))) {
                            synchronized (errors) {
                                errors.add(id + ": " + e.getMessage());
                            }
                        }
                    }
                    if (!pace.isZero()) {
                        Thread.sleep(pace.toMillis());
                    }
                }
            } catch (Exception e) {
                synchronized (errors) {
                    errors.add(e.toString());
                }
            }
        }, "acked-writer-" + node.id());
        thread.start();
    }

    /** {@code count} new objects {@code prefix0..}. */
    static AckedWriter start(NodeProcess node, String prefix, int count, Duration pace) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(prefix + i);
        }
        return new AckedWriter(node, ids, pace, false);
    }

    /**
     * {@code rounds} updates of each of {@code objects} ids {@code prefix0..} that other nodes
     * update too: a write that lost to another node's newer one is not an error.
     */
    static AckedWriter updating(NodeProcess node, String prefix, int objects, int rounds, Duration pace) {
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < objects; i++) {
                ids.add(prefix + i);
            }
        }
        return new AckedWriter(node, ids, pace, true);
    }

    static Set<String> joinAll(List<AckedWriter> writers) throws InterruptedException {
        Set<String> all = new LinkedHashSet<>();
        for (AckedWriter w : writers) {
            w.thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(w.thread.isAlive()).as("writer still running after 60 s").isFalse();
            synchronized (w.errors) {
                assertThat(w.errors).as("write errors (a healthy local node acknowledges every write)").isEmpty();
            }
            all.addAll(w.acked);
        }
        return all;
    }
}
