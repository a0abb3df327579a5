package io.acp.cluster.journal;

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
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real full disk: the journal on a 1 MiB tmpfs (the tests run as root). */
class JournalDiskFullTest {

    private static final String BIG = "x".repeat(8 * 1024);

    @TempDir
    Path tmp;

    private Path mount;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        mount = Files.createDirectories(tmp.resolve("small"));
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", mount.toString());
    }

    @Test
    void fullDiskFailsTheWriteKeepsWhatWasAcknowledgedAndRecoversWhenSpaceReturns() throws IOException {
        Path dir = mount.resolve("j");
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[256 * 1024]);
        List<ObjectEntry> acknowledged = new ArrayList<>();
        try (Journal j = Journal.open(dir, true, 1 << 30)) {
            AcpException failure = null;
            for (int i = 0; i < 1000 && failure == null; i++) {
                ObjectEntry e = object("v" + i, i, BIG);
                try {
                    j.append(e).await().atMost(Duration.ofSeconds(30));
                    acknowledged.add(e);
                } catch (AcpException f) {
                    failure = f;
                }
            }
            assertThat(failure).as("the 1 MiB disk must fill up").isNotNull();
            assertThat(failure.code()).isEqualTo(ErrorCode.STORAGE_FAILED);
            assertThat(failure.getMessage()).contains("journal " + dir.resolve("journal") + ": write failed")
                    .contains("No space left on device");
            assertThat(acknowledged).hasSizeGreaterThan(10);
            // cut back to the last acknowledged record
            assertThat(Entries.nonZeroAfter(dir.resolve("journal"), j.journalBytes())).isZero();
            assertThat(j.load()).isEqualTo(acknowledged);

            // compaction cannot help on a full disk either; it leaves the old files alone
            assertThatThrownBy(() -> j.compact(acknowledged)) // the failed write may not be undone yet
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("postponed"));
            assertThatThrownBy(() -> j.compact(acknowledged))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED);
                        assertThat(e.getMessage()).contains(dir.toString()).contains("No space left on device");
                    });
            assertThat(dir.resolve(SnapshotFile.TEMP_NAME)).doesNotExist();
            assertThat(j.load()).isEqualTo(acknowledged);

            Files.delete(filler);
            ObjectEntry afterwards = object("after", 99_999, BIG);
            j.append(afterwards).await().atMost(Duration.ofSeconds(30));
            acknowledged.add(afterwards);
        }
        try (Journal j = Journal.open(dir, true, 1 << 30)) {
            assertThat(j.load()).isEqualTo(acknowledged);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock between compaction and the undo of a failed write would hang here
    void cdbWriteThatCannotBeJournaledIsUndoneAndNotCompactedIntoTheSnapshot() throws IOException {
        Files.write(mount.resolve("filler"), new byte[1000 * 1024]);
        Path dir = mount.resolve("j");
        ObjectKey key = new ObjectKey(ObjectType.SYSTEM, "too-big");
        try (Cdb cdb = new Cdb("n1", new HybridClock(), Journal.open(dir, true, 1 << 30), 10)) {
            Uni<ObjectEntry> write = cdb.putObject(key, null, Json.object().put("blob", BIG.repeat(8)), null);
            // The CDB compacts under its write lock, with the doomed entry still queued and passed to the snapshot.
            assertThatThrownBy(cdb::compact).hasMessageContaining("postponed");
            assertThatThrownBy(() -> write.await().atMost(Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
            assertThat(cdb.entry(key)).isEmpty();
        }
        try (Journal j = Journal.open(dir, true, 1 << 30)) {
            assertThat(j.load()).isEmpty();
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes());
        if (!exited || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
