package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.WatchStream;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Watches one node's alarm objects until a marker id arrives, checking each id's versions rise. */
final class VersionWatch {

    private final NodeProcess node;
    private final Map<String, Version> last = new HashMap<>();
    private final List<String> backwards = new ArrayList<>();
    private final Thread reader;
    private volatile boolean ended;
    private volatile Throwable failure;
    private int events;

    private VersionWatch(NodeProcess node, String marker) throws Exception {
        this.node = node;
        ApiClient api = node.client();
        WatchStream stream = api.openWatch(null, Json.object().put("type", "alarm").set("kinds", Json.MAPPER.createArrayNode().add("object")));
        reader = new Thread(() -> {
            try (api; stream) {
                for (JsonNode e = stream.next(); e != null; e = stream.next()) {
                    String id = e.path("id").asText();
                    if (id.equals(marker)) {
                        ended = true;
                        return;
                    }
                    see(id, EntryJson.parseVersion(e.path("version").asText()));
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, "watch-" + node.id());
        reader.setDaemon(true);
        reader.start();
    }

    static VersionWatch open(NodeProcess node, String marker) throws Exception {
        return new VersionWatch(node, marker);
    }

    private synchronized void see(String id, Version v) {
        events++;
        Version before = last.put(id, v);
        if (before != null && v.compareTo(before) <= 0) {
            backwards.add(id + ": " + before + " then " + v);
        }
    }

    void awaitEnd(Duration limit) throws InterruptedException {
        reader.join(limit.toMillis());
        assertThat(failure).as("watch on %s", node.id()).isNull();
        assertThat(ended).as("watch on %s saw the end marker", node.id()).isTrue();
    }

    synchronized List<String> backwards() {
        return List.copyOf(backwards);
    }

    synchronized int events() {
        return events;
    }

    String node() {
        return node.id();
    }
}
