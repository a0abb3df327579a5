package io.acp.cluster;

import io.acp.model.ObjectEntry;
import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.List;

/**
 * Durable storage of objects (meta and stats are never persisted). The journal is the real one;
 * {@link #NONE} keeps nothing, for in-memory nodes and benchmarks of the in-memory path.
 */
public interface ObjectLog extends AutoCloseable {

    /** Everything stored, in write order; later entries for a key supersede earlier ones by version. */
    List<ObjectEntry> load();

    /** Completes once the entry is on stable storage (fsynced); fails if it could not be written. */
    Uni<Void> append(ObjectEntry entry);

    /** Replaces the stored history with exactly these entries (the live objects plus tombstones). */
    void compact(Collection<ObjectEntry> live);

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
        public void compact(Collection<ObjectEntry> live) {
        }

        @Override
        public void close() {
        }
    };
}
