package io.acp.cluster.journal;

import static io.acp.cluster.journal.Entries.appendAll;
import static io.acp.cluster.journal.Entries.object;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Torn and corrupt files: recovery keeps exactly the valid prefix, cuts the rest and goes on. */
class JournalDamageTest {

    private static final ObjectEntry LATER = object("later", 9999, "after repair");

    @TempDir
    Path tmp;

    private final List<ObjectEntry> written = Entries.some(4);
    private byte[] intact;
    /** End offset of each record in {@link #intact}. */
    private final List<Long> ends = new ArrayList<>();

    @BeforeEach
    void writeIntactJournal() throws IOException {
        Path dir = tmp.resolve("intact");
        try (Journal j = Journal.open(dir, false, 1 << 20)) {
            for (ObjectEntry e : written) {
                appendAll(j, List.of(e));
                ends.add(j.journalBytes());
            }
        }
        intact = Files.readAllBytes(dir.resolve(Journal.JOURNAL_NAME));
    }

    @Test
    void tornTailAtEveryOffsetKeepsTheWholeRecordsBeforeIt() throws IOException {
        for (int cut = 0; cut <= intact.length; cut++) {
            Path dir = tmp.resolve("cut" + cut);
            Files.createDirectories(dir);
            Files.write(dir.resolve(Journal.JOURNAL_NAME), Arrays.copyOf(intact, cut));
            int whole = recordsEndingBy(cut);
            long validEnd = whole == 0 ? RecordFormat.HEADER_BYTES : ends.get(whole - 1);

            try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
                assertThat(j.load()).as("cut at %d", cut).isEqualTo(written.subList(0, whole));
                assertThat(Files.size(dir.resolve(Journal.JOURNAL_NAME))).as("cut at %d", cut).isEqualTo(validEnd);
                boolean damaged = cut != validEnd && cut != 0;
                assertThat(log.errors()).as("cut at %d", cut).hasSize(damaged ? 1 : 0);
                appendAll(j, List.of(LATER));
            }
            try (Journal j = Journal.open(dir, false, 1 << 20)) {
                List<ObjectEntry> expected = new ArrayList<>(written.subList(0, whole));
                expected.add(LATER);
                assertThat(j.load()).as("cut at %d, then appended", cut).isEqualTo(expected);
            }
        }
    }

    @Test
    void bitFlipAnywhereInTheRecordsKeepsOnlyTheRecordsBeforeTheDamagedOne() throws IOException {
        for (int at = RecordFormat.HEADER_BYTES; at < intact.length; at++) {
            Path dir = tmp.resolve("flip" + at);
            Files.createDirectories(dir);
            byte[] damaged = intact.clone();
            damaged[at] ^= (byte) (1 << (at % 8));
            Files.write(dir.resolve(Journal.JOURNAL_NAME), damaged);
            int before = recordsEndingBy(at);
            long damagedStart = before == 0 ? RecordFormat.HEADER_BYTES : ends.get(before - 1);

            try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
                assertThat(j.load()).as("flip at %d", at).isEqualTo(written.subList(0, before));
                assertThat(Files.size(dir.resolve(Journal.JOURNAL_NAME))).as("flip at %d", at).isEqualTo(damagedStart);
                assertThat(log.errors()).as("flip at %d", at).singleElement().asString()
                        .contains(dir.resolve(Journal.JOURNAL_NAME).toString())
                        .contains("corrupt record at offset " + damagedStart)
                        .contains("cutting " + (intact.length - damagedStart) + " bytes")
                        .contains("keeping " + before + " records");
                appendAll(j, List.of(LATER));
                assertThat(j.load()).as("flip at %d, then appended", at).endsWith(LATER).hasSize(before + 1);
            }
        }
    }

    @Test
    void damagedFileHeaderLosesTheFileButTheJournalWorksOn() throws IOException {
        Path dir = tmp.resolve("header");
        Files.createDirectories(dir);
        byte[] damaged = intact.clone();
        damaged[0] = 'X';
        Files.write(dir.resolve(Journal.JOURNAL_NAME), damaged);
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
            assertThat(j.load()).isEmpty();
            assertThat(log.errors()).singleElement().asString().contains("bad file header");
            appendAll(j, List.of(LATER));
        }
        try (Journal j = Journal.open(dir, false, 1 << 20)) {
            assertThat(j.load()).containsExactly(LATER);
        }
    }

    @Test
    void recordWithGoodChecksumButNoEntryInsideIsRejected() throws IOException {
        Path dir = tmp.resolve("json");
        Files.createDirectories(dir);
        byte[] bad = "{\"kind\":\"object\",\"type\":\"nonsense\"}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(intact, 0, (int) (long) ends.get(0));
        file.write(RecordFormat.record(bad).array());
        file.write(intact, (int) (long) ends.get(0), intact.length - (int) (long) ends.get(0));
        Files.write(dir.resolve(Journal.JOURNAL_NAME), file.toByteArray());
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
            assertThat(j.load()).containsExactly(written.get(0));
            assertThat(log.errors()).singleElement().asString()
                    .contains("corrupt record at offset " + ends.get(0)).contains("unparsable entry");
        }
    }

    @Test
    void damagedSnapshotIsCutToItsValidPrefixToo() throws IOException {
        Path dir = tmp.resolve("snap");
        Files.createDirectories(dir);
        // The intact journal bytes make a valid snapshot as well: same format.
        Files.write(dir.resolve(SnapshotFile.NAME), Arrays.copyOf(intact, (int) (ends.get(2) - 3)));
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
            appendAll(j, List.of(LATER));
            List<ObjectEntry> expected = new ArrayList<>(written.subList(0, 2));
            expected.add(LATER);
            assertThat(j.load()).isEqualTo(expected);
            assertThat(log.errors()).singleElement().asString()
                    .contains(dir.resolve(SnapshotFile.NAME).toString()).contains("truncated payload");
            assertThat(Files.size(dir.resolve(SnapshotFile.NAME))).isEqualTo(ends.get(1));
        }
    }

    private int recordsEndingBy(long offset) {
        int n = 0;
        while (n < ends.size() && ends.get(n) <= offset) {
            n++;
        }
        return n;
    }
}
