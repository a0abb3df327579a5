package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Collects the entries this node originates and hands them out as DELTA bodies: at most one entry
 * per slot (the latest; a slot written twice within a flush interval is sent once), sealed together
 * (one signature per flush), packed so each body fits one datagram; an entry larger than that goes
 * alone in a body that will be fragmented. Each body can be checked alone: a lost datagram loses
 * only its own entries.
 * Writers add from any thread; the sync thread drains.
 */
final class DeltaBatcher {

    private record Slot(Entry.Kind kind, ObjectKey key, String node) {
    }

    private final int maxBody;
    private LinkedHashMap<Slot, Entry> pending = new LinkedHashMap<>();

    DeltaBatcher(int maxBody) {
        this.maxBody = maxBody;
    }

    /** Adds an entry; returns true if it is the first since the last drain (time to schedule a flush). */
    synchronized boolean add(Entry e) {
        pending.put(new Slot(e.kind(), e.key(), e.node()), e);
        return pending.size() == 1;
    }

    /**
     * Takes everything pending, seals it as one batch (one signature) and passes the bodies to
     * {@code send}; returns the sealed entries.
     */
    List<SealedEntry> drain(Function<List<Entry>, List<SealedEntry>> seal, Consumer<byte[]> send) {
        LinkedHashMap<Slot, Entry> batch;
        synchronized (this) {
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        List<SealedEntry> sealed = seal.apply(new ArrayList<>(batch.values()));
        SealedCodec.pack(sealed, maxBody, Integer.MAX_VALUE).forEach(send);
        return sealed;
    }
}
