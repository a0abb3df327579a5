package io.acp.cluster.journal;

import io.acp.model.ObjectEntry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Work for the journal's writer thread, done strictly in the order it was queued. */
sealed interface JournalOp {

    /** One encoded record; {@code done} completes once it is on stable storage. */
    record Append(ByteBuffer record, CompletableFuture<Void> done) implements JournalOp {
    }

    /** Replace snapshot and journal with exactly these entries (encoded by the writer, not the caller). */
    record Compact(List<ObjectEntry> live, CompletableFuture<Void> done) implements JournalOp {
    }

    /** Read (and repair) both files. */
    record Load(CompletableFuture<List<ObjectEntry>> done) implements JournalOp {
    }

    /** The last op: finish what came before, then stop the thread. */
    record Stop() implements JournalOp {
    }
}
