package io.acp.cluster.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keeper over a real CDB: fed from its change stream, saved on close, loaded on start. */
class HistoryKeeperTest {

    private static final ObjectKey VM = ObjectKey.of(ObjectType.SYSTEM, "vm1");

    @TempDir
    Path data;

    @Test
    void keepsThisNodesStatsFromTheCdbAndSurvivesARestart() throws Exception {
        Cdb cdb = Cdb.inMemory("n1");
        cdb.putObject(VM, null, Json.object(), null).await().indefinitely();
        HistoryKeeper keeper = HistoryKeeper.start(cdb, data, 100, Duration.ofHours(1));
        StatsEntry mine = cdb.putStats(VM, Map.of("cpu", 0.25));
        cdb.merge(new StatsEntry(VM, "n2", Map.of("cpu", 0.75), new Version(cdb.clock().now(), "n2")));
        long now = mine.version().millis();
        List<HistoryPoints> hour = keeper.history().query(VM, null, HistoryRange.HOUR, now);
        assertThat(hour).singleElement().satisfies(p -> assertThat(p.values()).containsExactly(0.25f));
        keeper.close();
        assertThat(Files.size(HistoryKeeper.file(data))).isPositive();
        cdb.close();

        Cdb again = Cdb.inMemory("n1");
        HistoryKeeper restarted = HistoryKeeper.start(again, data, 100, Duration.ofHours(1));
        try {
            assertThat(restarted.history().query(VM, null, HistoryRange.HOUR, now))
                    .singleElement().satisfies(p -> assertThat(p.values()).containsExactly(0.25f));
            again.putObject(VM, null, Json.object(), null).await().indefinitely();
            again.deleteObject(VM).await().indefinitely();
            assertThat(restarted.history().has(VM)).isFalse();
            assertThat(restarted.history().seriesCount()).isZero();
        } finally {
            restarted.close();
            again.close();
        }
    }

    @Test
    void anUnreadableSnapshotIsMovedAsideAndTheNodeStartsEmpty() throws Exception {
        Path file = HistoryKeeper.file(data);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "not a snapshot");
        Cdb cdb = Cdb.inMemory("n1");
        HistoryKeeper keeper = HistoryKeeper.start(cdb, data, 100, Duration.ofHours(1));
        try {
            assertThat(keeper.history().seriesCount()).isZero();
            assertThat(file.resolveSibling("stats.bin.unreadable")).exists();
        } finally {
            keeper.close();
            cdb.close();
        }
    }

    @Test
    void aRestartWritesANewBaseAndLogOfItsOwnWithoutWaitingForASave() throws Exception {
        Cdb cdb = Cdb.inMemory("n1");
        cdb.putObject(VM, null, Json.object(), null).await().indefinitely();
        HistoryKeeper keeper = HistoryKeeper.start(cdb, data, 100, Duration.ofHours(1));
        cdb.putStats(VM, Map.of("cpu", 0.25));
        keeper.close();
        cdb.close();
        Path file = HistoryKeeper.file(data);
        byte[] before = Files.readAllBytes(file);

        Cdb again = Cdb.inMemory("n1");
        HistoryKeeper restarted = HistoryKeeper.start(again, data, 100, Duration.ofHours(1)); // snapshots hourly: only the first base runs
        try {
            restarted.awaitFirstBase();
            StatsHistory reread = new StatsHistory("n1", 100);
            HistorySnapshot.Base base = HistorySnapshot.loadBase(file, reread);
            assertThat(Files.readAllBytes(file)).as("a new base, of a new generation").isNotEqualTo(before);
            assertThat(Files.size(HistoryLog.of(file))).as("a new log: its header alone").isEqualTo(Integer.BYTES + Long.BYTES);
            assertThat(HistoryLog.replay(HistoryLog.of(file), reread, base.generation(), base.remap())).as("of this base, no frame").isZero();
            assertThat(reread.has(VM)).isTrue();
        } finally {
            restarted.close();
            again.close();
        }
    }
}
