package io.acp.cluster.history;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import io.acp.model.StatsEntry;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Feeds a node's {@link StatsHistory} from its CDB's change stream (the stats this node reports,
 * and deletes, which drop an object's history), and keeps it across restarts: loaded from
 * {@code <data>/history/stats.bin} and the changes after it in {@code stats.log} on start, written
 * whole again just after start (on the keeper's thread), then every {@code snapshotEvery} only what changed (a frame appended to the
 * log, {@link HistoryLog}), on a thread of its own, and once more on close.
 */
public final class HistoryKeeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HistoryKeeper.class);

    private final StatsHistory history;
    private final Path file;
    private final Cancellable feed;
    private final ScheduledExecutorService snapshots;
    /** The log is compacted into a new base once it is as big as the base, and never below this. */
    static final long MIN_COMPACT_BYTES = 1 << 20;
    private boolean needBase = true;
    private long baseBytes;
    /** The current base's generation: time-based, so it differs from any earlier process's. */
    private long generation = System.currentTimeMillis() * 1000;
    private long written;
    /** The base written just after start, on the keeper's thread. */
    private volatile Future<?> firstBase = CompletableFuture.completedFuture(null);

    private HistoryKeeper(StatsHistory history, Path file, Cancellable feed, ScheduledExecutorService snapshots) {
        this.history = history;
        this.file = file;
        this.feed = feed;
        this.snapshots = snapshots;
    }

    /** The snapshot file of a node's data dir. */
    public static Path file(Path dataDir) {
        return dataDir.resolve("history").resolve("stats.bin");
    }

    /** Loads the last snapshot (blocking: call on a worker), subscribes to the CDB and schedules snapshots. */
    public static HistoryKeeper start(Cdb cdb, Path dataDir, int maxSeries, Duration snapshotEvery) {
        StatsHistory history = new StatsHistory(cdb.localNode(), maxSeries);
        Path file = file(dataDir);
        load(history, file);
        Cancellable feed = cdb.changes(new ChangeFilter(EnumSet.of(Entry.Kind.STATS, Entry.Kind.OBJECT), null, null, null))
                .subscribe().with(e -> apply(history, e), f -> LOG.errorf("stats history of node %s stopped following the CDB: %s", history.node(), f.getMessage()));
        ScheduledExecutorService snapshots = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "acp-stats-history");
            t.setDaemon(true);
            return t;
        });
        HistoryKeeper keeper = new HistoryKeeper(history, file, feed, snapshots);
        // A new base and an empty log (the log's ids are this process's), written on the keeper's
        // own thread rather than in the cluster service's start, which every other service waits
        // for. Until it is written the previous base and its log stay on disk, consistent with each
        // other; changes that arrive meanwhile are in the store and so in the new base. The first
        // save always writes a base (needBase), and it runs before the periodic ones (one thread).
        keeper.firstBase = snapshots.submit(keeper::save);
        long every = Math.max(1, snapshotEvery.toMillis());
        snapshots.scheduleWithFixedDelay(keeper::save, every, every, TimeUnit.MILLISECONDS);
        return keeper;
    }

    private static void apply(StatsHistory history, Entry e) {
        if (e instanceof StatsEntry s) {
            history.add(s);
        } else if (e instanceof ObjectEntry o && o.deleted()) {
            history.forget(o.key());
        }
    }

    private static void load(StatsHistory history, Path file) {
        if (!Files.exists(file)) {
            return;
        }
        HistorySnapshot.Base base;
        try {
            base = HistorySnapshot.loadBase(file, history);
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            LOG.warnf("stats history snapshot %s of node %s is unreadable (%s); starting empty, the file is kept as %s",
                    file, history.node(), e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                LOG.warnf("could not move %s aside: %s", file, moveFailed.getMessage());
            }
            return;
        }
        Path log = HistoryLog.of(file);
        try {
            int frames = HistoryLog.replay(log, history, base.generation(), base.remap());
            LOG.infof("stats history of node %s loaded from %s and %d frame(s) of %s: %d series", history.node(), file, frames, log,
                    history.seriesCount());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("stats history log %s of node %s is unreadable from some frame on (%s); the history is what came before it", log,
                    history.node(), e.getMessage());
        }
    }

    /** Waits until the base written after start is on disk (for callers that save themselves, e.g. tests). */
    void awaitFirstBase() throws InterruptedException, ExecutionException {
        firstBase.get();
    }

    public StatsHistory history() {
        return history;
    }

    /**
     * Writes what changed since the last save now: a frame appended to the log, or a whole new base
     * (and an empty log) at the first save, after a failed one, and once the log has grown as big
     * as its base (so a restart replays at most about a base's worth). Failures are logged; the
     * next round writes a whole base. Returns the bytes written.
     */
    public synchronized long save() {
        Path log = HistoryLog.of(file);
        try {
            if (!needBase && Files.exists(log) && Files.size(log) < Math.max(baseBytes, MIN_COMPACT_BYTES)) {
                long bytes = HistoryLog.append(history, log);
                written += bytes;
                LOG.debugf("stats history of node %s: %d bytes of changes appended to %s", history.node(), bytes, log);
                return bytes;
            }
            long generation = ++this.generation;
            baseBytes = HistorySnapshot.save(history, file, generation);
            long bytes = baseBytes + HistoryLog.start(log, generation);
            needBase = false;
            written += bytes;
            LOG.debugf("stats history of node %s saved whole: %d series, %d bytes", history.node(), history.seriesCount(), baseBytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            needBase = true; // what was marked saved may not be on disk: the next save writes all
            LOG.warnf("stats history snapshot %s of node %s failed: %s", file, history.node(), e.getMessage());
            return 0;
        }
    }

    /** Bytes this keeper has written to disk since it started (bases and log frames). */
    public synchronized long bytesWritten() {
        return written;
    }

    /** Stops following the CDB and writes a last snapshot (blocking). */
    @Override
    public void close() {
        feed.cancel();
        snapshots.shutdown();
        try {
            snapshots.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        save();
    }
}
