package io.acp.cluster.sync;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Collects the entries this node originates and hands them out as DELTA bodies: at most one entry
 * per slot (the latest; a slot written twice within a flush interval is sent once), packed so each
 * body fits one datagram; an entry larger than that goes alone in a body that will be fragmented.
 * Writers add from any thread; the sync thread drains.
 */
final class DeltaBatcher {

    private static final Logger LOG = Logger.getLogger(DeltaBatcher.class);

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

    /** Takes everything pending and passes the bodies to {@code send}; returns how many entries. */
    int drain(Consumer<byte[]> send) {
        LinkedHashMap<Slot, Entry> batch;
        synchronized (this) {
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(maxBody);
        for (Entry e : batch.values()) {
            byte[] one = encode(e);
            if (one == null) {
                continue;
            }
            if (body.size() > 0 && body.size() + one.length > maxBody) {
                send.accept(body.toByteArray());
                body.reset();
            }
            body.writeBytes(one);
        }
        if (body.size() > 0) {
            send.accept(body.toByteArray());
        }
        return batch.size();
    }

    /** The entry's wire form, or null (logged) for an entry that has no wire form. */
    private static byte[] encode(Entry e) {
        try {
            return EntryCodec.encode(e);
        } catch (IllegalArgumentException ex) {
            LOG.warnf("%s %s of node %s cannot be replicated: %s", e.kind().wireName(), e.key(), e.node(), ex.getMessage());
            return null;
        }
    }

    /** Packs arbitrary entries into bodies of at most {@code maxBody} bytes (anti-entropy replies). */
    static List<byte[]> pack(List<Entry> entries, int maxBody, int maxTotal) {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int total = 0;
        for (Entry e : entries) {
            byte[] one = encode(e);
            if (one == null) {
                continue;
            }
            if (total + one.length > maxTotal && total > 0) {
                break;
            }
            if (body.size() > 0 && body.size() + one.length > maxBody) {
                out.add(body.toByteArray());
                body.reset();
            }
            body.writeBytes(one);
            total += one.length;
        }
        if (body.size() > 0) {
            out.add(body.toByteArray());
        }
        return out;
    }
}
