package io.acp.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.SharedOutcome;
import io.acp.model.Version;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The CDB's writer: object writes for callers that must never block, an event loop above all. A
 * local write takes the CDB's write lock, which compaction holds while the journal is rewritten on
 * disk; queued here, the wait happens on the writer's own thread and the caller gets a Uni at once.
 * Writes run in the order they were submitted, and run even if nobody subscribes to the answer.
 */
public final class ObjectWriter implements AutoCloseable {

    private final Cdb cdb;
    private final ExecutorService thread;

    ObjectWriter(Cdb cdb) {
        this.cdb = cdb;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, WriteThreads.CDB_WRITER_PREFIX + cdb.localNode());
            t.setDaemon(true);
            return t;
        });
    }

    /** {@link Cdb#putObject}, on the writer. */
    public Uni<ObjectEntry> putObject(ObjectKey key, String subtype, JsonNode spec, Version expected) {
        return queued(() -> cdb.putObject(key, subtype, spec, expected));
    }

    /** {@link Cdb#deleteObject}, on the writer. */
    public Uni<ObjectEntry> deleteObject(ObjectKey key) {
        return queued(() -> cdb.deleteObject(key));
    }

    private Uni<ObjectEntry> queued(Supplier<Uni<ObjectEntry>> write) {
        return SharedOutcome.of(Uni.createFrom().deferred(() -> write.get()).runSubscriptionOn(thread));
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
