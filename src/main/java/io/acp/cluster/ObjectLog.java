package io.acp.cluster;

import io.acp.model.ObjectEntry;
import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Durable storage of objects (meta and stats are never persisted). The journal is the real one;
 * {@link #NONE} keeps nothing, for in-memory nodes and benchmarks of the in-memory path.
 */
public interface ObjectLog extends AutoCloseable {

    /** Everything stored, in write order; later entries for a key supersede earlier ones by version. */
    List<ObjectEntry> load();

    /** Completes once the entry is on stable storage (fsynced); fails if it could not be written. */
    Uni<Void> append(ObjectEntry entry);

    /**
     * Queues the replacement of the stored history with exactly these entries (the live objects
     * plus tombstones) behind every append queued so far; the result completes when it is done. The
     * caller may queue under its write lock and wait outside it, so writers never wait on the disk.
     */
    CompletableFuture<Void> compactQueued(Collection<ObjectEntry> live);

    /** Replaces the stored history with exactly these entries; blocks until done. */
    default void compact(Collection<ObjectEntry> live) {
        try {
            compactQueued(live).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Override
    void close();

    ObjectLog NONE = new ObjectLog() {
        @Override
        public List<ObjectEntry> load() {
            return List.of();
        }

        @Override
        public Uni<Void> append(ObjectEntry entry) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public CompletableFuture<Void> compactQueued(Collection<ObjectEntry> live) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
        }
    };
}
