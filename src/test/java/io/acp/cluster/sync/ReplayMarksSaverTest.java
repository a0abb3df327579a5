package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.ReplayGuard;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay marks saved off the sync thread: the newest marks end up in the file, never older ones after them. */
class ReplayMarksSaverTest {

    @TempDir
    Path dataDir;

    /** A background executor that runs its tasks only when told, so the test decides the interleaving. */
    private static final class HeldExecutor implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable t;
            while ((t = tasks.poll()) != null) {
                t.run();
            }
        }
    }

    private static Map<String, ReplayGuard.Mark> marks(long highest) {
        return Map.of("n2", new ReplayGuard.Mark(7, highest), "n3", new ReplayGuard.Mark(9, highest + 1));
    }

    @Test
    void theHeartbeatsSaveIsWrittenInTheBackgroundAndOnlyTheLatestOfSeveral() throws Exception {
        HeldExecutor background = new HeldExecutor();
        ReplayMarksSaver saver = new ReplayMarksSaver(dataDir, "n1", Map.of(), background);
        saver.saveLater(marks(10));
        saver.saveLater(marks(20));
        saver.saveLater(marks(30));
        assertThat(ReplayMarksFile.read(dataDir)).as("nothing written on the caller's thread").isEmpty();
        assertThat(background.tasks).as("one planned write for the three saves").hasSize(1);

        background.runAll();
        assertThat(ReplayMarksFile.read(dataDir)).isEqualTo(marks(30));
    }

    @Test
    void aBackgroundWriteThatRunsAfterTheSaveAtStopDoesNotPutOlderMarksBack() throws Exception {
        HeldExecutor background = new HeldExecutor();
        ReplayMarksSaver saver = new ReplayMarksSaver(dataDir, "n1", Map.of(), background);
        saver.saveLater(marks(10));
        saver.saveNow(marks(50)); // stop, while the heartbeat's write has not run yet
        assertThat(ReplayMarksFile.read(dataDir)).isEqualTo(marks(50));

        background.runAll();
        assertThat(ReplayMarksFile.read(dataDir)).as("the stop's marks stay").isEqualTo(marks(50));
    }

    @Test
    void marksThatDidNotMoveAreNotWrittenAgain() throws Exception {
        HeldExecutor background = new HeldExecutor();
        ReplayMarksSaver saver = new ReplayMarksSaver(dataDir, "n1", marks(10), background);
        saver.saveLater(marks(10));
        background.runAll();
        assertThat(dataDir.resolve(ReplayMarksFile.NAME)).as("the marks read at start did not move: no write").doesNotExist();

        saver.saveLater(marks(11));
        background.runAll();
        assertThat(ReplayMarksFile.read(dataDir)).isEqualTo(marks(11));
    }
}
