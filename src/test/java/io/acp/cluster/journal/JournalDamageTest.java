package io.acp.cluster.journal;

import static io.acp.cluster.journal.Entries.appendAll;
import static io.acp.cluster.journal.Entries.object;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Torn and corrupt files: recovery keeps exactly the valid prefix, cuts the rest and goes on. */
class JournalDamageTest {

    private static final ObjectEntry LATER = object("later", 9999, "after repair");
    /** Preallocation step in these tests: small, so hundreds of damaged files stay cheap. */
    private static final int ZEROS = 4096;

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

    /**
     * A crash tears the last write anywhere: in a plain file (cut short) and in a preallocated one
     * (the rest of the record never reached the zeros that follow). Either way the whole records
     * before it come back, an ERROR is logged and the file cut if some byte of the torn record is
     * there to see, and the journal appends after the last whole record.
     */
    @Test
    void tornTailAtEveryOffsetKeepsTheWholeRecordsBeforeIt() throws IOException {
        for (boolean preallocated : new boolean[] {false, true}) {
            for (int cut = 0; cut <= intact.length; cut++) {
                String as = (preallocated ? "preallocated, " : "") + "cut at " + cut;
                Path dir = tmp.resolve((preallocated ? "zeros" : "cut") + cut);
                Files.createDirectories(dir);
                byte[] torn = Arrays.copyOf(intact, cut);
                Files.write(dir.resolve(Journal.JOURNAL_NAME), preallocated ? Arrays.copyOf(torn, intact.length + ZEROS) : torn);
                int whole = recordsEndingBy(cut);
                // Where the torn record's missing bytes were zeros anyway (a tombstone's empty spec
                // ends in them), the zeros after it complete it: it is whole, as written.
                while (preallocated && whole < ends.size() && cut >= RecordFormat.HEADER_BYTES && zeros(intact, cut, ends.get(whole))) {
                    whole++;
                }
                long validEnd = whole == 0 ? RecordFormat.HEADER_BYTES : ends.get(whole - 1);
                boolean visible = false;
                for (int i = (int) validEnd; i < cut; i++) {
                    visible |= torn[i] != 0;
                }

                try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = open(dir, preallocated)) {
                    assertThat(j.load()).as(as).isEqualTo(written.subList(0, whole));
                    assertThat(j.journalBytes()).as(as).isEqualTo(validEnd);
                    assertThat(Entries.nonZeroAfter(dir.resolve(Journal.JOURNAL_NAME), validEnd)).as(as).isZero();
                    // A file header cut short or zeroed is damage (a new, empty file is not); so is
                    // any byte of the torn record. Zeros alone are where the records end.
                    boolean damaged = (preallocated || cut != 0) && cut < RecordFormat.HEADER_BYTES || visible;
                    if (damaged && !preallocated) { // (a preallocated one gets its zeros again)
                        assertThat(Files.size(dir.resolve(Journal.JOURNAL_NAME))).as(as).isEqualTo(validEnd);
                    }
                    assertThat(log.errors()).as(as).hasSize(damaged ? 1 : 0);
                    appendAll(j, List.of(LATER));
                }
                try (Journal j = open(dir, preallocated)) {
                    List<ObjectEntry> expected = new ArrayList<>(written.subList(0, whole));
                    expected.add(LATER);
                    assertThat(j.load()).as(as + ", then appended").isEqualTo(expected);
                }
            }
        }
    }

    /**
     * A flipped bit anywhere in a record (its length, checksum, type or payload) is caught: the
     * records before it are kept, it and everything after it are cut, and the ERROR names the file,
     * the offset and what was cut. Zeros preallocated after the records change nothing.
     */
    @Test
    void bitFlipAnywhereInTheRecordsKeepsOnlyTheRecordsBeforeTheDamagedOne() throws IOException {
        for (boolean preallocated : new boolean[] {false, true}) {
            for (int at = RecordFormat.HEADER_BYTES; at < intact.length; at++) {
                String as = (preallocated ? "preallocated, " : "") + "flip at " + at;
                Path dir = tmp.resolve((preallocated ? "zflip" : "flip") + at);
                Files.createDirectories(dir);
                byte[] damaged = Arrays.copyOf(intact, intact.length + (preallocated ? ZEROS : 0));
                damaged[at] ^= (byte) (1 << (at % 8));
                Files.write(dir.resolve(Journal.JOURNAL_NAME), damaged);
                int before = recordsEndingBy(at);
                long damagedStart = before == 0 ? RecordFormat.HEADER_BYTES : ends.get(before - 1);

                try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = open(dir, preallocated)) {
                    assertThat(j.load()).as(as).isEqualTo(written.subList(0, before));
                    assertThat(j.journalBytes()).as(as).isEqualTo(damagedStart);
                    assertThat(Entries.nonZeroAfter(dir.resolve(Journal.JOURNAL_NAME), damagedStart)).as(as).isZero();
                    assertThat(log.errors()).as(as).singleElement().asString()
                            .contains(dir.resolve(Journal.JOURNAL_NAME).toString())
                            .contains("corrupt record at offset " + damagedStart)
                            .contains("cutting " + (intact.length - damagedStart) + " bytes")
                            .contains("keeping " + before + " records");
                    appendAll(j, List.of(LATER));
                    assertThat(j.load()).as(as + ", then appended").endsWith(LATER).hasSize(before + 1);
                }
            }
        }
    }

    /** Zeros after the last record are the preallocated rest: the end, no damage, nothing logged. */
    @Test
    void zerosAfterTheLastRecordAreItsEnd() throws IOException {
        Path dir = tmp.resolve("zeros");
        Files.createDirectories(dir);
        Files.write(dir.resolve(Journal.JOURNAL_NAME), Arrays.copyOf(intact, intact.length + 3 * ZEROS));
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = open(dir, true)) {
            assertThat(j.load()).isEqualTo(written);
            assertThat(j.journalBytes()).isEqualTo(intact.length);
            assertThat(log.errors()).isEmpty();
            appendAll(j, List.of(LATER));
        }
        try (Journal j = open(dir, true)) {
            List<ObjectEntry> expected = new ArrayList<>(written);
            expected.add(LATER);
            assertThat(j.load()).isEqualTo(expected);
        }
    }

    /**
     * Bytes after the zeros are not the preallocated rest (a lost block, a record written past a
     * hole): never skipped silently. The ERROR names the file and the offset where the zeros start,
     * and the records before it are kept.
     */
    @Test
    void nonZeroBytesAfterTheZerosAreDamageNotTheEnd() throws IOException {
        Path dir = tmp.resolve("hole");
        Files.createDirectories(dir);
        byte[] file = Arrays.copyOf(intact, intact.length + ZEROS + ends.get(0).intValue());
        System.arraycopy(intact, RecordFormat.HEADER_BYTES, file, intact.length + ZEROS, ends.get(0).intValue() - RecordFormat.HEADER_BYTES);
        Files.write(dir.resolve(Journal.JOURNAL_NAME), file);
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = open(dir, true)) {
            assertThat(j.load()).isEqualTo(written);
            assertThat(log.errors()).singleElement().asString()
                    .contains(dir.resolve(Journal.JOURNAL_NAME).toString())
                    .contains("corrupt record at offset " + intact.length)
                    .contains("zero length")
                    .contains("keeping " + written.size() + " records");
            assertThat(Entries.nonZeroAfter(dir.resolve(Journal.JOURNAL_NAME), intact.length)).isZero();
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

    /** A record whose checksum holds but whose content is no object entry, or of an unknown type, is damage too. */
    @Test
    void recordWithGoodChecksumButNoEntryInsideIsRejected() throws IOException {
        ObjectEntry sample = written.get(1);
        byte[] good = RecordFormat.payload(sample);
        byte[] nonsenseType = good.clone();
        byte[] typeName = "network".getBytes(StandardCharsets.UTF_8);
        assertThat(Arrays.copyOfRange(nonsenseType, 2, 2 + typeName.length)).isEqualTo(typeName);
        System.arraycopy("nowhere".getBytes(StandardCharsets.UTF_8), 0, nonsenseType, 2, typeName.length);
        byte[] cutShort = Arrays.copyOf(good, 5);
        Map<String, ByteBuffer> bad = new LinkedHashMap<>();
        bad.put("unparsable entry", RecordFormat.record(nonsenseType));
        bad.put("cut short", RecordFormat.record(cutShort));
        bad.put("unknown record type 7", RecordFormat.record((byte) 7, good));
        for (Map.Entry<String, ByteBuffer> b : bad.entrySet()) {
            Path dir = tmp.resolve("bad-" + b.getKey().replace(' ', '-'));
            Files.createDirectories(dir);
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.write(intact, 0, (int) (long) ends.get(0));
            file.write(b.getValue().array());
            file.write(intact, (int) (long) ends.get(0), intact.length - (int) (long) ends.get(0));
            Files.write(dir.resolve(Journal.JOURNAL_NAME), file.toByteArray());
            try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
                assertThat(j.load()).as(b.getKey()).containsExactly(written.get(0));
                assertThat(log.errors()).as(b.getKey()).singleElement().asString()
                        .contains("corrupt record at offset " + ends.get(0)).contains("unparsable entry").contains(b.getKey());
            }
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

    /** Opens with preallocation of {@link #ZEROS} bytes, or none, without syncing (a test's files need no durability). */
    private static Journal open(Path dir, boolean preallocated) {
        return Journal.open(dir, false, 1 << 20, preallocated ? ZEROS : 0);
    }

    private static boolean zeros(byte[] b, int from, long to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private int recordsEndingBy(long offset) {
        int n = 0;
        while (n < ends.size() && ends.get(n) <= offset) {
            n++;
        }
        return n;
    }
}
