package io.acp.cluster.bridge;

import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per slot, the version last received over the bridge: sending that same version back would only
 * bounce it, so {@link #isEcho} holds it back. Kept across reconnects (the remote side still has
 * what it sent), recorded before the merge so the merge's own change event is recognised.
 */
final class OriginTracker {

    /** One value of the CDB: an object, or one node's meta or stats of an object. */
    private record Slot(Entry.Kind kind, ObjectKey key, String node) {
        static Slot of(Entry e) {
            return new Slot(e.kind(), e.key(), e.kind() == Entry.Kind.OBJECT ? "" : e.node());
        }
    }

    private final Map<Slot, io.acp.model.Version> fromLink = new ConcurrentHashMap<>();

    void receivedFromLink(Entry e) {
        fromLink.put(Slot.of(e), e.version());
    }

    boolean isEcho(Entry e) {
        return e.version().equals(fromLink.get(Slot.of(e)));
    }
}
