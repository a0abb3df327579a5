package io.acp.cluster.sync;

import io.acp.cluster.sync.wire.ReplayGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Saves the replay window's marks ({@link ReplayMarksFile}) off the sync thread: the heartbeat hands
 * over a snapshot and goes on (writing and renaming the file took 41 ms of wall time on a busy disk,
 * during which no delta was sent or merged); a background task writes the latest snapshot handed
 * over, never an older one after a newer. {@link #saveNow} at stop writes on the caller's thread, so
 * the marks of a node stopped in order are on disk when stop returns; a node killed keeps the last
 * background save, at most a heartbeat and a write old.
 *
 * <p>The one writer of {@link ReplayMarksFile}: the file is replaced atomically (write, rename), so a
 * reader finds the old marks or the new, never half. It is not fsynced: a killed process loses
 * nothing (the page cache survives it), only a power loss could lose the last second of marks.
 */
final class ReplayMarksSaver {

    private static final Logger LOG = Logger.getLogger(ReplayMarksSaver.class);

    private final Path dataDir;
    private final String node;
    private final Executor background;
    private final AtomicReference<Map<String, ReplayGuard.Mark>> latest = new AtomicReference<>();
    private final Object fileLock = new Object(); // one write at a time, and the newest snapshot last
    private Map<String, ReplayGuard.Mark> saved; // under fileLock

    ReplayMarksSaver(Path dataDir, String node, Map<String, ReplayGuard.Mark> saved, Executor background) {
        this.dataDir = dataDir;
        this.node = node;
        this.saved = saved;
        this.background = background;
    }

    /** Any thread, returns at once: the marks will be written unless newer ones are by then. */
    void saveLater(Map<String, ReplayGuard.Mark> marks) {
        if (latest.getAndSet(marks) != null) {
            return; // a task is planned and will take these
        }
        try {
            background.execute(this::writeLatest);
        } catch (RejectedExecutionException shuttingDown) {
            latest.set(null); // stop saves the final marks itself
        }
    }

    /** Writes the marks on the caller's thread, after any background write (stop). */
    void saveNow(Map<String, ReplayGuard.Mark> marks) {
        synchronized (fileLock) {
            latest.set(null); // older than these: never written after them
            write(marks);
        }
    }

    private void writeLatest() {
        synchronized (fileLock) {
            Map<String, ReplayGuard.Mark> marks = latest.getAndSet(null); // taken under the lock: a later saveNow wins
            if (marks != null) {
                write(marks);
            }
        }
    }

    private void write(Map<String, ReplayGuard.Mark> marks) {
        if (marks.equals(saved)) {
            return;
        }
        try {
            Path tmp = dataDir.resolve(ReplayMarksFile.NAME + ".tmp");
            Files.writeString(tmp, ReplayMarksFile.text(marks), StandardCharsets.US_ASCII);
            Files.move(tmp, dataDir.resolve(ReplayMarksFile.NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            saved = marks;
        } catch (IOException e) {
            LOG.warnf("replay marks of node %s could not be saved in %s: %s", node, dataDir, e.getMessage());
        }
    }
}
