package io.acp.cluster.journal;

import static io.acp.cluster.journal.Entries.appendAll;
import static io.acp.cluster.journal.Entries.object;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of format version 1 (JSON records) are read and rewritten in version 2 once, on open. The
 * fixture under {@code src/test/resources/io/acp/cluster/journal/v1} was written by the version-1
 * build (a compaction into a snapshot of five objects, then a tombstone and an update journaled).
 */
class JournalMigrationTest {

    @TempDir
    Path tmp;

    /** What the fixture holds, in load order: the snapshot, then the journal. */
    private static List<ObjectEntry> fixtureEntries() {
        List<ObjectEntry> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(new ObjectEntry(new ObjectKey(ObjectType.NETWORK, "v" + i), "vlan",
                    Json.object().put("vlan", 100 + i).put("description", "net é " + i), new Version(1000 + i, "n" + (i % 2 + 1)), false));
        }
        out.add(new ObjectEntry(new ObjectKey(ObjectType.NETWORK, "v1"), "vlan", Json.object(), new Version(2001, "n2"), true));
        out.add(new ObjectEntry(new ObjectKey(ObjectType.NETWORK, "v7"), "vlan",
                Json.object().put("vlan", 7).set("tags", Json.MAPPER.createArrayNode().add("a").add(1.5)), new Version(2002, "n1"), false));
        return out;
    }

    private Path fixture() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("j"));
        for (String name : List.of(Journal.JOURNAL_NAME, SnapshotFile.NAME)) {
            try (InputStream in = JournalMigrationTest.class.getResourceAsStream("v1/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        return dir;
    }

    private static int version(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertThat(Arrays.copyOf(b, 4)).isEqualTo("ACPJ".getBytes(StandardCharsets.US_ASCII));
        return ((b[4] & 0xFF) << 24) | ((b[5] & 0xFF) << 16) | ((b[6] & 0xFF) << 8) | (b[7] & 0xFF);
    }

    @Test
    void filesWrittenByTheVersion1BuildAreReadAndRewrittenOnce() throws IOException {
        Path dir = fixture();
        assertThat(version(dir.resolve(Journal.JOURNAL_NAME))).isEqualTo(1);
        assertThat(version(dir.resolve(SnapshotFile.NAME))).isEqualTo(1);
        List<ObjectEntry> expected = fixtureEntries();

        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, true, 1 << 20)) {
            assertThat(j.load()).isEqualTo(expected);
            assertThat(log.errors()).isEmpty();
        }
        for (String name : List.of(Journal.JOURNAL_NAME, SnapshotFile.NAME)) {
            assertThat(version(dir.resolve(name))).as(name).isEqualTo(RecordFormat.VERSION);
            assertThat(new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.ISO_8859_1)).as(name).doesNotContain("\"kind\"");
            assertThat(dir.resolve(name + RecordFile.MIGRATING_SUFFIX)).doesNotExist();
        }

        // rewritten once: opening again reads version 2 and leaves the files as they are
        byte[] snapshot = Files.readAllBytes(dir.resolve(SnapshotFile.NAME));
        byte[] journal = Files.readAllBytes(dir.resolve(Journal.JOURNAL_NAME));
        ObjectEntry later = object("later", 3000, "after migration");
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            assertThat(j.load()).isEqualTo(expected);
            assertThat(Files.readAllBytes(dir.resolve(SnapshotFile.NAME))).isEqualTo(snapshot);
            assertThat(Files.readAllBytes(dir.resolve(Journal.JOURNAL_NAME))).isEqualTo(journal);
            appendAll(j, List.of(later));
        }
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            List<ObjectEntry> all = new ArrayList<>(expected);
            all.add(later);
            assertThat(j.load()).isEqualTo(all);
        }
    }

    /** A version-1 journal torn by a crash is cut to its whole records as before, then migrated. */
    @Test
    void tornVersion1JournalIsCutThenRewritten() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("torn"));
        List<ObjectEntry> written = Entries.some(5);
        byte[] old = LegacyWriter.file(written);
        Files.write(dir.resolve(Journal.JOURNAL_NAME), Arrays.copyOf(old, old.length - 5));
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
            assertThat(j.load()).isEqualTo(written.subList(0, 4));
            assertThat(log.errors()).singleElement().asString().contains(dir.resolve(Journal.JOURNAL_NAME).toString()).contains("truncated payload");
        }
        assertThat(version(dir.resolve(Journal.JOURNAL_NAME))).isEqualTo(RecordFormat.VERSION);
        try (LogCapture log = new LogCapture(RecordFile.class.getName()); Journal j = Journal.open(dir, false, 1 << 20)) {
            assertThat(j.load()).isEqualTo(written.subList(0, 4));
            assertThat(log.errors()).isEmpty();
        }
    }

    /** A crash during the rewrite leaves the version-1 file whole; the half-written one is discarded. */
    @Test
    void crashDuringTheRewriteKeepsTheVersion1File() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("crash"));
        List<ObjectEntry> written = Entries.some(4);
        Files.write(dir.resolve(Journal.JOURNAL_NAME), LegacyWriter.file(written));
        Files.write(dir.resolve(Journal.JOURNAL_NAME + RecordFile.MIGRATING_SUFFIX), Arrays.copyOf(RecordFormat.fileHeader().array(), 5));
        Files.write(dir.resolve(SnapshotFile.NAME + RecordFile.MIGRATING_SUFFIX), new byte[] {1, 2, 3});
        try (Journal j = Journal.open(dir, false, 1 << 20)) {
            assertThat(j.load()).isEqualTo(written);
        }
        assertThat(dir.resolve(Journal.JOURNAL_NAME + RecordFile.MIGRATING_SUFFIX)).doesNotExist();
        assertThat(dir.resolve(SnapshotFile.NAME + RecordFile.MIGRATING_SUFFIX)).doesNotExist();
    }

    /** Compaction after a migration writes a version-2 snapshot and an empty, preallocated journal. */
    @Test
    void compactionAfterMigrationWritesTheNewFormat() throws IOException {
        Path dir = fixture();
        List<ObjectEntry> live = fixtureEntries().subList(2, 7);
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            j.load();
            j.compact(live);
            assertThat(j.journalBytes()).isEqualTo(RecordFormat.HEADER_BYTES);
        }
        assertThat(version(dir.resolve(SnapshotFile.NAME))).isEqualTo(RecordFormat.VERSION);
        assertThat(Files.size(dir.resolve(Journal.JOURNAL_NAME))).isEqualTo(RecordFormat.HEADER_BYTES + Journal.PREALLOCATE_BYTES);
        assertThat(Entries.nonZeroAfter(dir.resolve(Journal.JOURNAL_NAME), RecordFormat.HEADER_BYTES)).isZero();
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            assertThat(j.load()).isEqualTo(live);
        }
    }
}
