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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Feeds a node's {@link StatsHistory} from its CDB's change stream (the stats this node reports,
 * and deletes, which drop an object's history), and keeps it across restarts: loaded from
 * {@code <data>/history/stats.bin} on start, saved there every {@code snapshotEvery} on a thread
 * of its own and once more on close.
 */
public final class HistoryKeeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HistoryKeeper.class);

    private final StatsHistory history;
    private final Path file;
    private final Cancellable feed;
    private final ScheduledExecutorService snapshots;

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
        try {
            HistorySnapshot.load(file, history);
            LOG.infof("stats history of node %s loaded from %s: %d series", history.node(), file, history.seriesCount());
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            LOG.warnf("stats history snapshot %s of node %s is unreadable (%s); starting empty, the file is kept as %s",
                    file, history.node(), e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                LOG.warnf("could not move %s aside: %s", file, moveFailed.getMessage());
            }
        }
    }

    public StatsHistory history() {
        return history;
    }

    /** Writes a snapshot now; failures are logged (the next round tries again). */
    public void save() {
        try {
            long bytes = HistorySnapshot.save(history, file);
            LOG.debugf("stats history of node %s saved: %d series, %d bytes", history.node(), history.seriesCount(), bytes);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("stats history snapshot %s of node %s failed: %s", file, history.node(), e.getMessage());
        }
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
