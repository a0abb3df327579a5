package io.acp.cluster.journal;

import static io.acp.cluster.journal.Entries.appendAll;
import static io.acp.cluster.journal.Entries.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path tmp;

    @Test
    void entriesSurviveReopenInWriteOrder() throws Exception {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> written = Entries.some(10);
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            assertThat(j.load()).isEmpty();
            appendAll(j, written);
            assertThat(j.load()).isEqualTo(written);
        }
        try (Journal j = Journal.open(dir, true, 1 << 20)) {
            assertThat(j.load()).isEqualTo(written);
            // synced writes: the file is preallocated, zeros after the records
            assertThat(Files.size(dir.resolve("journal"))).isGreaterThanOrEqualTo(j.journalBytes() + Journal.PREALLOCATE_BYTES / 2);
            assertThat(Entries.after(dir.resolve("journal"), j.journalBytes())).containsOnly(0);
        }
    }

    /**
     * Load reads the files in chunks of {@link RecordFile#READ_CHUNK_BYTES}: records that straddle
     * a chunk's end, and one larger than a whole chunk, come back whole, in both the journal (read
     * once at open and kept for the first load) and a snapshot.
     */
    @Test
    void recordsAcrossAndLargerThanAReadChunkComeBackWhole() throws Exception {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> written = new ArrayList<>();
        String kilobyte = "x".repeat(1000);
        for (int i = 0; i < 3000; i++) { // about 3 MB: many records straddle a 1 MB chunk's end
            written.add(object("k" + i, 1000 + i, kilobyte + i));
        }
        written.add(1500, object("big", 999, "y".repeat(RecordFile.READ_CHUNK_BYTES + 12345)));
        try (Journal j = Journal.open(dir, false, Long.MAX_VALUE)) {
            appendAll(j, written);
        }
        try (Journal j = Journal.open(dir, false, Long.MAX_VALUE)) {
            assertThat(j.load()).as("from the journal").isEqualTo(written);
            assertThat(j.load()).as("read again").isEqualTo(written);
            j.compact(written);
        }
        try (Journal j = Journal.open(dir, false, Long.MAX_VALUE)) {
            assertThat(j.load()).as("from the snapshot").containsExactlyInAnyOrderElementsOf(written);
        }
    }

    @Test
    void directoryAndFilesAreCreatedPrivate() throws Exception {
        Path dir = tmp.resolve("a/b/j");
        Journal.open(dir, true, 1 << 20).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("journal")))).isEqualTo("rw-------");
        assertThat(Arrays.copyOf(Files.readAllBytes(dir.resolve("journal")), RecordFormat.HEADER_BYTES)).isEqualTo(RecordFormat.fileHeader().array());
        assertThat(Entries.after(dir.resolve("journal"), RecordFormat.HEADER_BYTES)).hasSize((int) Journal.PREALLOCATE_BYTES).containsOnly(0);
    }

    @Test
    void cdbRecoversObjectsTombstonesAndVersions() {
        Path dir = tmp.resolve("j");
        ObjectKey a = new ObjectKey(ObjectType.SYSTEM, "a");
        ObjectKey b = new ObjectKey(ObjectType.SYSTEM, "b");
        List<ObjectEntry> before = new ArrayList<>();
        try (Cdb cdb = new Cdb("n1", new HybridClock(), Journal.open(dir, true, 1 << 20), 10)) {
            cdb.putObject(a, null, Json.object().put("cpus", 2), null).await().atMost(Duration.ofSeconds(30));
            ObjectEntry a2 = cdb.putObject(a, null, Json.object().put("cpus", 4), null).await().atMost(Duration.ofSeconds(30));
            cdb.putObject(b, null, Json.object().put("cpus", 1), null).await().atMost(Duration.ofSeconds(30));
            cdb.deleteObject(b).await().atMost(Duration.ofSeconds(30));
            before.add(cdb.entry(a).orElseThrow());
            before.add(cdb.entry(b).orElseThrow());
            assertThat(before.get(0)).isEqualTo(a2);
        }
        long behind = System.currentTimeMillis() - 30_000; // a wall clock behind the journal, within the 60 s bound
        HybridClock clock = new HybridClock(() -> behind);
        try (Cdb cdb = new Cdb("n1", clock, Journal.open(dir, true, 1 << 20), 10)) {
            assertThat(cdb.recover()).isEqualTo(4);
            assertThat(List.of(cdb.entry(a).orElseThrow(), cdb.entry(b).orElseThrow())).isEqualTo(before);
            assertThat(cdb.object(b)).isEmpty();
            assertThat(cdb.entry(b).orElseThrow().deleted()).isTrue();
            // the clock moved past everything replayed, so new writes win over old ones
            assertThat(clock.now()).isGreaterThan(before.get(1).version().time());
        }
    }

    @Test
    void concurrentAppendsAreAllPresentAfterReopenInPerThreadOrder() throws Exception {
        Path dir = tmp.resolve("j");
        int threads = 6;
        int perThread = 150;
        List<ObjectEntry> acknowledged = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Journal j = Journal.open(dir, true, 1 << 30)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    List<io.smallrye.mutiny.Uni<Void>> pending = new ArrayList<>();
                    List<ObjectEntry> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        ObjectEntry e = object("t" + thread + "-" + i, i, "x");
                        mine.add(e);
                        pending.add(j.append(e)); // queued at once: acknowledged together
                    }
                    for (int i = 0; i < perThread; i++) {
                        pending.get(i).await().atMost(Duration.ofSeconds(60));
                        acknowledged.add(mine.get(i));
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Journal j = Journal.open(dir, true, 1 << 30)) {
            List<ObjectEntry> loaded = j.load();
            assertThat(loaded).containsExactlyInAnyOrderElementsOf(acknowledged).hasSize(threads * perThread);
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "-";
                List<String> ids = loaded.stream().map(ObjectEntry::id).filter(id -> id.startsWith(prefix)).toList();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    expected.add(prefix + i);
                }
                assertThat(ids).as("append order of thread %d", t).isEqualTo(expected);
            }
        }
    }

    @Test
    void closedJournalRefusesWorkAndCloseIsIdempotent() {
        Path dir = tmp.resolve("j");
        Journal j = Journal.open(dir, true, 1 << 20);
        j.close();
        j.close();
        assertThatThrownBy(() -> j.append(object("v1", 1, "x")).await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains(dir.resolve("journal").toString()).contains("closed");
                });
        assertThatThrownBy(j::load).isInstanceOf(AcpException.class);
        assertThatThrownBy(() -> j.compact(List.of())).isInstanceOf(AcpException.class);
    }

    @Test
    void oneSubscriberCancellingDoesNotCancelTheWriteForOthers() {
        try (Journal j = Journal.open(tmp.resolve("j"), true, 1 << 20)) {
            io.smallrye.mutiny.Uni<Void> append = j.append(object("v1", 1, "x"));
            append.subscribe().with(ok -> { }, failure -> { }).cancel();
            append.await().atMost(Duration.ofSeconds(30));
            assertThat(j.load()).extracting(ObjectEntry::id).containsExactly("v1");
        }
    }

    @Test
    void closeWritesWhatIsQueued() {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> written = Entries.some(50);
        Journal j = Journal.open(dir, true, 1 << 20);
        written.forEach(j::append); // not awaited
        j.close();
        try (Journal reopened = Journal.open(dir, true, 1 << 20)) {
            assertThat(reopened.load()).isEqualTo(written);
        }
    }

    @Test
    void oversizedEntryIsRefusedAndTheJournalGoesOn() {
        Path dir = tmp.resolve("j");
        try (Journal j = Journal.open(dir, false, 1 << 30)) {
            ObjectEntry huge = object("big", 1, "x".repeat(RecordFormat.MAX_PAYLOAD_BYTES));
            assertThatThrownBy(() -> j.append(huge).await().atMost(Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("network/big").contains("limit");
                    });
            appendAll(j, List.of(object("small", 2, "y")));
            assertThat(j.load()).extracting(ObjectEntry::id).containsExactly("small");
        }
    }

    @Test
    void newerFormatVersionIsRefusedNotDestroyed() throws Exception {
        Path dir = tmp.resolve("j");
        Journal.open(dir, true, 1 << 20).close();
        byte[] bytes = Files.readAllBytes(dir.resolve("journal"));
        bytes[7] = 3;
        Files.write(dir.resolve("journal"), bytes);
        assertThatThrownBy(() -> Journal.open(dir, true, 1 << 20))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("format version 3"));
        assertThat(Files.readAllBytes(dir.resolve("journal"))).isEqualTo(bytes);
    }
}
