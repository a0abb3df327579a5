package io.acp.cluster.journal;

import io.acp.cluster.ObjectLog;
import io.acp.cluster.WriteThreads;
import io.acp.cluster.journal.JournalOp.Append;
import io.acp.cluster.journal.JournalOp.Compact;
import io.acp.cluster.journal.JournalOp.Load;
import io.acp.cluster.journal.JournalOp.Stop;
import io.acp.model.ObjectEntry;
import io.acp.model.SharedOutcome;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The object journal of a node, in one directory: a {@code snapshot} of all objects as of the last
 * compaction, and a {@code journal} of every write since, both in {@link RecordFormat}. With
 * fsync on, the journal file is preallocated and appends are synced with {@code fdatasync}
 * ({@link RecordFile}); files of format version 1 are rewritten in the current one on open.
 *
 * <p>One writer thread does all file work in queue order. Appends queued together are written and
 * fsynced together (group commit), so callers never block and many writes share one fsync.
 * Acknowledgements are delivered on a separate thread: a caller's callback (the CDB publishing a
 * durable write, which takes its locks) must never stall the writer and with it every later fsync.
 * A delivery that does not return holds up every later acknowledgement; the writer logs one that
 * runs past two seconds, with where it is ({@link AcknowledgementWatch}).
 */
public final class Journal implements ObjectLog {

    private static final Logger LOG = Logger.getLogger(Journal.class);
    static final String JOURNAL_NAME = "journal";
    /**
     * Zeros kept written ahead of the journal's end when writes are synced, so that an append's
     * sync commits no block allocation (see {@link RecordFile}). Written a step at a time: one
     * step costs one write of this size and one sync, shared by thousands of appends.
     */
    static final long PREALLOCATE_BYTES = 1 << 20;

    private final Path dir;
    private final boolean fsync;
    private final long compactBytes;
    private final RecordFile journal;
    private final LinkedBlockingQueue<JournalOp> queue = new LinkedBlockingQueue<>();
    private final Object enqueueLock = new Object();
    private final ExecutorService acks = Executors.newSingleThreadExecutor(r -> daemon(r, WriteThreads.JOURNAL_ACKS));
    private final AcknowledgementWatch ackWatch;
    private final Thread writer;
    private volatile long journalBytes;
    private boolean closed;
    /**
     * Set by a failed append: the CDB passes a compaction the entries it has queued but not yet
     * seen acknowledged, and one of them may be the failed one, which must never reach the snapshot.
     */
    private boolean writeFailedSinceCompaction;
    /**
     * The journal's records as {@link #open} read them (it must, to repair the file and find its
     * end), kept for the first {@link #load} so a start parses each record once; dropped by any
     * change to the file. Writer thread only, after construction.
     */
    private List<ObjectEntry> readAtOpen;

    private Journal(Path dir, boolean fsync, long compactBytes, RecordFile journal, List<ObjectEntry> readAtOpen) {
        this.readAtOpen = readAtOpen;
        this.dir = dir;
        this.fsync = fsync;
        this.compactBytes = compactBytes;
        this.journal = journal;
        this.journalBytes = journal.end();
        this.writer = daemon(this::writeLoop, WriteThreads.JOURNAL_WRITER);
        this.ackWatch = new AcknowledgementWatch(dir.toString());
    }

    /**
     * Opens the journal in {@code dir} (created with mode 0700 if missing), repairing damaged files.
     *
     * @param fsync        sync every write before acknowledging it (off only for throwaway nodes)
     * @param compactBytes journal size past which {@link #needsCompaction()} says so
     */
    public static Journal open(Path dir, boolean fsync, long compactBytes) {
        return open(dir, fsync, compactBytes, fsync ? PREALLOCATE_BYTES : 0);
    }

    /** As {@link #open(Path, boolean, long)}, with {@code preallocateBytes} of zeros kept ahead of the journal's end (0: none). */
    static Journal open(Path dir, boolean fsync, long compactBytes, long preallocateBytes) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, RecordFormat.DIR_MODE);
                if (fsync && dir.toAbsolutePath().getParent() != null) {
                    SnapshotFile.syncDirectory(dir.toAbsolutePath().getParent()); // the new directory's own entry
                }
            }
            SnapshotFile.discardTemp(dir);
            RecordFile journal = RecordFile.open(dir.resolve(JOURNAL_NAME), fsync, preallocateBytes);
            List<ObjectEntry> read;
            try {
                read = journal.load();
                if (fsync) {
                    SnapshotFile.syncDirectory(dir);
                }
            } catch (IOException | RuntimeException e) {
                journal.close();
                throw e;
            }
            Journal j = new Journal(dir, fsync, compactBytes, journal, read);
            j.writer.start();
            return j;
        } catch (IOException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "journal " + dir + ": cannot open: " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Bytes of the journal's records (its preallocated zeros not counted): what compaction would reclaim. */
    public long journalBytes() {
        return journalBytes;
    }

    public boolean needsCompaction() {
        return journalBytes > compactBytes;
    }

    /** Snapshot entries, then journal entries, each file cut back to its valid prefix if damaged. */
    @Override
    public List<ObjectEntry> load() {
        CompletableFuture<List<ObjectEntry>> done = new CompletableFuture<>();
        enqueueOrThrow(new Load(done));
        return await(done);
    }

    @Override
    public Uni<Void> append(ObjectEntry entry) {
        ByteBuffer record;
        try {
            record = RecordFormat.record(RecordFormat.payload(entry));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(AcpException.badRequest(e.getMessage()));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!enqueue(new Append(record, done))) {
            return Uni.createFrom().failure(closedError());
        }
        return SharedOutcome.of(done);
    }

    /**
     * Queues the replacement of snapshot and journal with exactly {@code live}. Appends queued
     * before this call are written first, so {@code live} must include them (the CDB passes a copy
     * taken under its write lock); appends queued after it land in the new journal. Fails with
     * {@link AcpException} STORAGE_FAILED if it could not be done; the old files are then still in place.
     */
    @Override
    public CompletableFuture<Void> compactQueued(Collection<ObjectEntry> live) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueueOrThrow(new Compact(List.copyOf(live), done));
        return done;
    }

    /** Writes what is queued, then stops the writer and closes the files. Idempotent. */
    @Override
    public void close() {
        if (!enqueue(new Stop())) {
            return;
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true; // the files must not close under the writer
            }
        }
        acks.shutdown(); // the acknowledgements already queued are still delivered
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warnf("journal %s: close failed: %s", journal.path(), e.getMessage());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the writer thread --------------------------------------------------------------------

    private void writeLoop() {
        List<JournalOp> ops = new ArrayList<>();
        List<Append> batch = new ArrayList<>();
        while (true) {
            JournalOp first;
            try {
                first = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, after everything queued is done
            }
            ackWatch.check(System.nanoTime());
            if (first == null) {
                continue;
            }
            ops.add(first);
            queue.drainTo(ops);
            for (JournalOp op : ops) {
                if (op instanceof Append a) {
                    batch.add(a);
                    continue;
                }
                commit(batch);
                if (op instanceof Compact c) {
                    complete(c.done(), "compaction failed", () -> compactNow(c.live()));
                } else if (op instanceof Load l) {
                    complete(l.done(), "load failed", this::loadNow);
                } else if (op instanceof Stop) {
                    return;
                }
            }
            commit(batch);
            ops.clear();
        }
    }

    private void commit(List<Append> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<ByteBuffer> records = new ArrayList<>(batch.size());
        batch.forEach(a -> records.add(a.record()));
        List<CompletableFuture<Void>> done = new ArrayList<>(batch.size());
        batch.forEach(a -> done.add(a.done()));
        batch.clear();
        readAtOpen = null;
        try {
            journal.append(records);
            journalBytes = journal.end();
            acks.execute(ackWatch.watched(() -> done.forEach(d -> d.complete(null))));
        } catch (IOException | RuntimeException e) {
            writeFailedSinceCompaction = true;
            AcpException failure = new AcpException(ErrorCode.STORAGE_FAILED, "journal " + journal.path() + ": write failed: " + e.getMessage(), e);
            LOG.errorf("%s (%d records not written)", failure.getMessage(), records.size());
            acks.execute(ackWatch.watched(() -> done.forEach(d -> d.completeExceptionally(failure))));
        }
    }

    private Void compactNow(List<ObjectEntry> live) throws IOException {
        if (writeFailedSinceCompaction) {
            writeFailedSinceCompaction = false;
            throw new AcpException(ErrorCode.UNAVAILABLE, "journal " + dir
                    + ": compaction postponed: a write failed since the last one and its entry may still be among those to snapshot");
        }
        List<byte[]> payloads = new ArrayList<>(live.size());
        for (ObjectEntry e : live) {
            payloads.add(RecordFormat.payload(e));
        }
        readAtOpen = null;
        SnapshotFile.writeTemp(dir, payloads, fsync);
        SnapshotFile.install(dir, fsync);
        // A crash here replays the journal over a snapshot that already holds it: harmless, the
        // CDB keeps the highest version of each object.
        journal.clear();
        journalBytes = journal.end();
        LOG.infof("journal %s: compacted into a snapshot of %d entries", dir, payloads.size());
        return null;
    }

    private List<ObjectEntry> loadNow() throws IOException {
        List<ObjectEntry> entries = new ArrayList<>(SnapshotFile.load(dir, fsync));
        entries.addAll(readAtOpen != null ? readAtOpen : journal.load());
        readAtOpen = null;
        journalBytes = journal.end();
        return entries;
    }

    private interface FileWork<T> {
        T run() throws IOException;
    }

    private <T> void complete(CompletableFuture<T> done, String failure, FileWork<T> work) {
        try {
            done.complete(work.run());
        } catch (IOException e) {
            done.completeExceptionally(new AcpException(ErrorCode.STORAGE_FAILED, "journal " + dir + ": " + failure + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    // ---- queueing -----------------------------------------------------------------------------

    /** False once closed; the lock makes sure nothing lands in the queue behind the Stop. */
    private boolean enqueue(JournalOp op) {
        synchronized (enqueueLock) {
            if (closed) {
                return false;
            }
            if (op instanceof Stop) {
                closed = true;
            }
            queue.add(op);
            return true;
        }
    }

    private void enqueueOrThrow(JournalOp op) {
        if (!enqueue(op)) {
            throw closedError();
        }
    }

    private AcpException closedError() {
        return new AcpException(ErrorCode.UNAVAILABLE, "journal " + journal.path() + ": closed");
    }

    private static <T> T await(CompletableFuture<T> done) {
        try {
            return done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
