package io.acp.cluster.service;

import io.acp.cluster.ObjectQuery;
import io.acp.cluster.Cdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.acp.cluster.journal.Journal;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterMaintenanceTest {

    private static final ObjectQuery EVERYTHING = new ObjectQuery(null, null, null, null, true);
    private static final ObjectKey OLD = new ObjectKey(ObjectType.SYSTEM, "deleted-long-ago");
    private static final ObjectKey RECENT = new ObjectKey(ObjectType.SYSTEM, "deleted-just-now");
    private static final ObjectKey LIVE = new ObjectKey(ObjectType.SYSTEM, "live");

    @TempDir
    Path tmp;

    private final AtomicLong wall = new AtomicLong(1_000_000);

    @Test
    void collectsOnlyExpiredTombstonesAndCompactsAnOversizedJournal() {
        Path dir = tmp.resolve("j");
        List<ObjectEntry> after;
        try (Journal journal = Journal.open(dir, true, 200); Cdb cdb = new Cdb("n1", new HybridClock(wall::get), journal, 10)) {
            writeAndDelete(cdb, OLD);
            wall.addAndGet(Duration.ofHours(2).toMillis());
            writeAndDelete(cdb, RECENT);
            await(cdb.putObject(LIVE, null, Json.object().put("a", 1), null));
            assertThat(journal.needsCompaction()).isTrue();

            new ClusterMaintenance(cdb, journal, Duration.ofHours(1), wall::get).run();

            assertThat(cdb.entry(OLD)).isEmpty();
            assertThat(cdb.entry(RECENT).orElseThrow().deleted()).isTrue();
            assertThat(cdb.object(LIVE)).isPresent();
            assertThat(journal.needsCompaction()).isFalse();
            assertThat(journal.journalBytes()).isLessThan(200);
            after = cdb.objects(EVERYTHING);
        }
        try (Cdb cdb = new Cdb("n1", new HybridClock(), Journal.open(dir, true, 200), 10)) {
            assertThat(cdb.recover()).isEqualTo(2); // the snapshot: the recent tombstone and the live object
            assertThat(cdb.objects(EVERYTHING)).isEqualTo(after);
        }
    }

    @Test
    void smallJournalIsLeftAsItIs() {
        try (Journal journal = Journal.open(tmp.resolve("j"), true, 1 << 20); Cdb cdb = new Cdb("n1", new HybridClock(wall::get), journal, 10)) {
            await(cdb.putObject(LIVE, null, Json.object().put("a", 1), null));
            long size = journal.journalBytes();
            new ClusterMaintenance(cdb, journal, Duration.ofHours(1), wall::get).run();
            assertThat(journal.journalBytes()).isEqualTo(size);
            assertThat(tmp.resolve("j/snapshot")).doesNotExist();
        }
    }

    @Test
    void failedRoundDoesNotThrowSoTheScheduleGoesOn() {
        Journal journal = Journal.open(tmp.resolve("j"), true, 10);
        Cdb cdb = new Cdb("n1", new HybridClock(wall::get), journal, 10);
        await(cdb.putObject(LIVE, null, Json.object().put("a", 1), null));
        cdb.close(); // compaction of a closed journal fails
        assertThatCode(new ClusterMaintenance(cdb, journal, Duration.ofHours(1), wall::get)::run).doesNotThrowAnyException();
    }

    private static void writeAndDelete(Cdb cdb, ObjectKey key) {
        await(cdb.putObject(key, null, Json.object().put("a", 1), null));
        await(cdb.deleteObject(key));
    }

    private static <T> T await(io.smallrye.mutiny.Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(30));
    }
}
