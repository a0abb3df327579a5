package io.acp.cluster.journal;

import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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

    /** The bytes of {@code file} from {@code end} on: all zeros (the preallocated rest), or none. */
    static byte[] after(Path file, long end) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOfRange(all, (int) Math.min(end, all.length), all.length);
    }

    /** How many bytes of {@code file} from {@code end} on are not zero: 0 if only preallocated zeros (or nothing) follow. */
    static long nonZeroAfter(Path file, long end) throws IOException {
        byte[] rest = after(file, end);
        long n = 0;
        for (byte b : rest) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    /** Appends and waits for each acknowledgement. */
    static void appendAll(Journal journal, List<ObjectEntry> entries) {
        for (ObjectEntry e : entries) {
            journal.append(e).await().atMost(Duration.ofSeconds(30));
        }
    }
}
