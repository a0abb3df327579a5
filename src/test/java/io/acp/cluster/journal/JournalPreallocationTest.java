package io.acp.cluster.journal;

import static io.acp.cluster.journal.Entries.appendAll;
import static io.acp.cluster.journal.Entries.object;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active journal keeps zeros written ahead of its end, a step at a time, so appends overwrite
 * blocks the file already has; its size is not its end, and every reopen finds the end exactly.
 */
class JournalPreallocationTest {

    private static final int STEP = 16 * 1024;

    @TempDir
    Path tmp;

    @Test
    void appendsFillThePreallocatedZerosAndTheFileGrowsAStepAtATime() throws IOException {
        Path dir = tmp.resolve("j");
        Path file = dir.resolve(Journal.JOURNAL_NAME);
        List<ObjectEntry> written = new ArrayList<>();
        try (Journal j = Journal.open(dir, true, Long.MAX_VALUE, STEP)) {
            assertThat(Files.size(file)).isEqualTo(RecordFormat.HEADER_BYTES + STEP);
            long sizes = 0;
            List<Long> seen = new ArrayList<>();
            for (int i = 0; j.journalBytes() < 3 * STEP; i++) {
                ObjectEntry e = object("v" + i, 1000 + i, "x".repeat(200));
                appendAll(j, List.of(e));
                written.add(e);
                long size = Files.size(file);
                // never less than half a step of zeros ahead, never more than a step
                assertThat(size - j.journalBytes()).as("after %d appends", i + 1).isBetween((long) STEP / 2, (long) STEP);
                if (seen.isEmpty() || seen.get(seen.size() - 1) != size) {
                    seen.add(size);
                }
                sizes++;
            }
            assertThat(seen.size()).as("the file grew in a few steps, not per append (%d appends)", sizes).isBetween(4, 8);
            assertThat(Entries.nonZeroAfter(file, j.journalBytes())).isZero();
        }
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, true, Long.MAX_VALUE, STEP)) {
            assertThat(j.load()).isEqualTo(written);
            assertThat(log.errors()).isEmpty();
        }
    }

    @Test
    void compactionEmptiesTheJournalAndPreallocatesItAgain() throws IOException {
        Path dir = tmp.resolve("j");
        Path file = dir.resolve(Journal.JOURNAL_NAME);
        List<ObjectEntry> live = Entries.some(30);
        ObjectEntry after = object("after", 5000, "y");
        try (Journal j = Journal.open(dir, true, Long.MAX_VALUE, STEP)) {
            appendAll(j, live);
            j.compact(live);
            assertThat(j.journalBytes()).isEqualTo(RecordFormat.HEADER_BYTES);
            assertThat(Files.size(file)).isEqualTo(RecordFormat.HEADER_BYTES + STEP);
            assertThat(Entries.nonZeroAfter(file, RecordFormat.HEADER_BYTES)).isZero();
            appendAll(j, List.of(after));
        }
        try (Journal j = Journal.open(dir, true, Long.MAX_VALUE, STEP)) {
            List<ObjectEntry> expected = new ArrayList<>(live);
            expected.add(after);
            assertThat(j.load()).isEqualTo(expected);
        }
    }
}
