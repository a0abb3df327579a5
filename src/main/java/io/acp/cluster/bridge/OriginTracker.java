package io.acp.cluster.bridge;

import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per slot, the version last received over the bridge: sending that same version back would only
 * bounce it, so {@link #isEcho} holds it back. Kept across reconnects (the remote side still has
 * what it sent), recorded before the merge so the merge's own change event is recognised.
 */
final class OriginTracker {

    private final Map<EntrySlot, io.acp.model.Version> fromLink = new ConcurrentHashMap<>();

    void receivedFromLink(Entry e) {
        fromLink.put(EntrySlot.of(e), e.version());
    }

    boolean isEcho(Entry e) {
        return e.version().equals(fromLink.get(EntrySlot.of(e)));
    }
}
