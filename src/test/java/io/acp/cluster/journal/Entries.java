package io.acp.cluster.journal;

import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Object entries for journal tests. */
final class Entries {

    private Entries() {
    }

    static ObjectEntry object(String id, long time, String value) {
        return new ObjectEntry(new ObjectKey(ObjectType.NETWORK, id), "vlan", Json.object().put("value", value), new Version(time, "n1"), false);
    }

    static ObjectEntry tombstone(String id, long time) {
        return new ObjectEntry(new ObjectKey(ObjectType.NETWORK, id), "vlan", Json.object(), new Version(time, "n1"), true);
    }

    /** {@code n} distinct objects, every third one a tombstone. */
    static List<ObjectEntry> some(int n) {
        List<ObjectEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i % 3 == 2 ? tombstone("v" + i, 1000 + i) : object("v" + i, 1000 + i, "payload-" + i));
        }
        return out;
    }

    /** Appends and waits for each acknowledgement. */
    static void appendAll(Journal journal, List<ObjectEntry> entries) {
        for (ObjectEntry e : entries) {
            journal.append(e).await().atMost(Duration.ofSeconds(30));
        }
    }
}
