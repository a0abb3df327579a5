package io.acp.cluster.journal;

import io.acp.model.ObjectEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The entries of checksummed record payloads, parsed in parallel batches but returned in file
 * order, up to the first payload that does not parse ({@code failure} says why; null if all did).
 * The journal replays in order and stops at damage, so what follows a bad record is dropped even
 * if it parsed.
 */
record ParsedRecords(List<ObjectEntry> entries, String failure) {

    /** Records per parallel task: large enough that scheduling costs nothing beside the parsing. */
    private static final int BATCH = 2048;

    static ParsedRecords parse(List<byte[]> payloads) {
        int n = payloads.size();
        ObjectEntry[] out = new ObjectEntry[n];
        String[] failures = new String[n];
        int batches = (n + BATCH - 1) / BATCH;
        IntStream.range(0, batches).parallel().forEach(b -> {
            for (int i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) {
                byte[] p = payloads.get(i);
                try {
                    out[i] = RecordFormat.parse(p, 0, p.length);
                } catch (RuntimeException e) {
                    failures[i] = e.getMessage();
                    return; // the rest of this batch is after damage
                }
            }
        });
        List<ObjectEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (failures[i] != null || out[i] == null) {
                return new ParsedRecords(entries, failures[i] != null ? failures[i] : "not parsed");
            }
            entries.add(out[i]);
        }
        return new ParsedRecords(entries, null);
    }
}
