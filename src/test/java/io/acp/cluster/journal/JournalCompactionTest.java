package io.acp.cluster.journal;

import static io.acp.cluster.journal.Entries.appendAll;
import static io.acp.cluster.journal.Entries.object;
import static io.acp.cluster.journal.Entries.tombstone;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCompactionTest {

    private static final ObjectQuery EVERYTHING = new ObjectQuery(null, null, null, null, true);

    @TempDir
    Path tmp;

    @Test
    void compactedCdbReloadsToTheSameState() throws IOException {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> before;
        try (Journal journal = Journal.open(dir, true, 1 << 20); Cdb cdb = new Cdb("n1", new HybridClock(), journal, 10)) {
            writeHistory(cdb, 0);
            long grown = journal.journalBytes();
            cdb.compact();
            assertThat(journal.journalBytes()).isEqualTo(RecordFormat.HEADER_BYTES).isLessThan(grown);
            writeHistory(cdb, 100); // after compaction: into the emptied journal
            before = cdb.objects(EVERYTHING);
        }
        assertThat(Files.exists(dir.resolve(SnapshotFile.NAME))).isTrue();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SnapshotFile.NAME)))).isEqualTo("rw-------");
        assertThat(Files.exists(dir.resolve(SnapshotFile.TEMP_NAME))).isFalse();
        assertThat(recovered(dir)).isEqualTo(before);
    }

    @Test
    void appendsQueuedBeforeCompactionAreAcknowledgedAndCovered() {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> state = Entries.some(30);
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            List<Uni<Void>> pending = new ArrayList<>();
            state.forEach(e -> pending.add(j.append(e)));
            j.compact(state);
            pending.forEach(p -> p.await().atMost(Duration.ofSeconds(30)));
            assertThat(j.journalBytes()).isEqualTo(RecordFormat.HEADER_BYTES);
            assertThat(j.load()).isEqualTo(state);
            appendAll(j, List.of(object("after", 5000, "y")));
        }
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            List<ObjectEntry> expected = new ArrayList<>(state);
            expected.add(object("after", 5000, "y"));
            assertThat(j.load()).isEqualTo(expected);
        }
    }

    @Test
    void crashAfterSnapshotRenameBeforeJournalTruncationReloadsCorrectly() throws IOException {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> before;
        try (Journal journal = Journal.open(dir, true, 1 << 20); Cdb cdb = new Cdb("n1", new HybridClock(), journal, 10)) {
            writeHistory(cdb, 0);
            before = cdb.objects(EVERYTHING);
        }
        // Compaction's first two steps, then the "crash": the journal is never truncated.
        SnapshotFile.writeTemp(dir, payloads(before), true);
        SnapshotFile.install(dir, true);

        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            List<ObjectEntry> loaded = j.load();
            assertThat(loaded.subList(0, before.size())).isEqualTo(before);
            assertThat(loaded.size()).isGreaterThan(before.size()); // the old journal replays on top
        }
        assertThat(recovered(dir)).isEqualTo(before);
    }

    @Test
    void crashWhileWritingTheSnapshotKeepsTheOldState() throws IOException {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> old = Entries.some(6);
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            appendAll(j, old);
            j.compact(old);
            appendAll(j, List.of(tombstone("v0", 2000)));
        }
        // A snapshot.tmp that never got renamed, torn in its middle.
        SnapshotFile.writeTemp(dir, payloads(List.of(object("ghost", 3000, "z"))), true);
        Path temp = dir.resolve(SnapshotFile.TEMP_NAME);
        Files.write(temp, java.util.Arrays.copyOf(Files.readAllBytes(temp), 20));

        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            List<ObjectEntry> expected = new ArrayList<>(old);
            expected.add(tombstone("v0", 2000));
            assertThat(j.load()).isEqualTo(expected);
            assertThat(Files.exists(temp)).isFalse();
        }
    }

    /** Writes, overwrites and deletes, so the journal holds superseded versions and tombstones. */
    private static void writeHistory(Cdb cdb, int base) {
        for (int i = base; i < base + 20; i++) {
            ObjectKey key = new ObjectKey(ObjectType.SYSTEM, "s" + i);
            await(cdb.putObject(key, null, Json.object().put("round", 1), null));
            await(cdb.putObject(key, null, Json.object().put("round", 2), null));
            if (i % 4 == 0) {
                await(cdb.deleteObject(key));
            }
        }
    }

    private static List<ObjectEntry> recovered(Path dir) {
        try (Cdb cdb = new Cdb("n1", new HybridClock(), Journal.open(dir, true, 1 << 20), 10)) {
            cdb.recover();
            return cdb.objects(EVERYTHING);
        }
    }

    private static List<byte[]> payloads(List<ObjectEntry> entries) {
        return entries.stream().map(RecordFormat::payload).toList();
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(30));
    }
}
