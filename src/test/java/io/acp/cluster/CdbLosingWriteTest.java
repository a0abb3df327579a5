package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.journal.Journal;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poisoned version already on disk (journaled before the clock bound existed, or by an old
 * build) does not poison the clock on recovery; writes to that object are answered conflict
 * naming the winner, never success. Real journal.
 */
class CdbLosingWriteTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aLocalWriteThatLosesToAStoredVersionIsAConflictNamingTheWinner() {
        ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "frozen");
        ObjectEntry poisoned = new ObjectEntry(key, null, Json.object().put("owner", "attacker"), new Version(Long.MAX_VALUE, "x"), false);
        try (Journal j = Journal.open(tmp.resolve("j"), true, 1 << 20)) {
            j.append(poisoned).await().atMost(WAIT);
        }
        HybridClock clock = new HybridClock();
        try (Cdb cdb = new Cdb("n1", clock, Journal.open(tmp.resolve("j"), true, 1 << 20), 10)) {
            assertThat(cdb.recover()).isEqualTo(1);
            assertThat(HybridClock.physicalMillis(clock.now())).as("the clock did not follow the poisoned version")
                    .isLessThan(System.currentTimeMillis() + 60_000);

            assertThatThrownBy(() -> cdb.putObject(key, null, Json.object().put("owner", "n1"), null).await().atMost(WAIT))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("object system/frozen").contains("lost to version 7fffffffffffffff@x")
                                .contains("written by node x");
                    });
            assertThatThrownBy(() -> cdb.deleteObject(key).await().atMost(WAIT))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
            assertThat(cdb.entry(key)).contains(poisoned);
            assertThat(cdb.pendingWrites()).isZero();
        }
        // nothing of the refused writes reached the journal
        try (Cdb again = new Cdb("n1", new HybridClock(), Journal.open(tmp.resolve("j"), true, 1 << 20), 10)) {
            assertThat(again.recover()).isEqualTo(1);
        }
    }

    @Test
    void aMergedEntryTooFarAheadIsRefusedAndTheClockStays() {
        HybridClock clock = new HybridClock();
        Cdb cdb = new Cdb("n1", clock, ObjectLog.NONE, 10, Duration.ofSeconds(5));
        ObjectEntry ahead = new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "a"), null, Json.object(),
                new Version(HybridClock.fromMillis(System.currentTimeMillis() + 10_000), "n2"), false);
        assertThat(cdb.mergeFrom(ahead)).isEqualTo(MergeOutcome.TOO_FAR_AHEAD);
        assertThat(cdb.entry(ahead.key())).isEmpty();
        assertThat(clock.now()).isLessThan(ahead.version().time());
    }
}
