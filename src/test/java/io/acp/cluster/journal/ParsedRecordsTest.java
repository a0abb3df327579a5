package io.acp.cluster.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing in parallel batches keeps file order and stops at the first bad record, in any batch. */
class ParsedRecordsTest {

    private static final int MANY = 5 * 2048 + 17;
    private static final byte[] BAD = "{\"kind\":\"object\",\"type\":\"nonsense\"}".getBytes(StandardCharsets.UTF_8);

    private static List<byte[]> payloads(List<ObjectEntry> entries) {
        List<byte[]> out = new ArrayList<>();
        for (ObjectEntry e : entries) {
            out.add(RecordFormat.payload(e));
        }
        return out;
    }

    @Test
    void everyRecordComesBackInFileOrderAcrossBatches() {
        List<ObjectEntry> written = Entries.some(MANY);
        ParsedRecords parsed = ParsedRecords.parse(payloads(written));
        assertThat(parsed.failure()).isNull();
        assertThat(parsed.entries()).containsExactlyElementsOf(written);
    }

    @Test
    void aBadRecordKeepsExactlyTheRecordsBeforeItWhicheverBatchItIsIn() {
        List<ObjectEntry> written = Entries.some(MANY);
        for (int bad : new int[] {0, 5, 2047, 2048, 4100, MANY - 1}) {
            List<byte[]> p = payloads(written);
            p.set(bad, BAD);
            // a second bad record later must not move the cut
            if (bad + 3000 < MANY) {
                p.set(bad + 3000, BAD);
            }
            ParsedRecords parsed = ParsedRecords.parse(p);
            assertThat(parsed.entries()).as("bad record at %d", bad).containsExactlyElementsOf(written.subList(0, bad));
            assertThat(parsed.failure()).as("bad record at %d", bad).isNotBlank();
        }
    }
}
