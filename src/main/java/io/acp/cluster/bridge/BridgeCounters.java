package io.acp.cluster.bridge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What crossed the bridge: entries each way, echoes held back, links made and refused. */
public final class BridgeCounters {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong echoesSuppressed = new AtomicLong();
    private final AtomicLong linksUp = new AtomicLong();
    private final AtomicLong linksFailed = new AtomicLong();

    private final AtomicLong refusedNotWritable = new AtomicLong();
    private final AtomicLong refusedLocalAuthor = new AtomicLong();
    private final AtomicLong unsealedSkipped = new AtomicLong();

    void unsealedSkipped() {
        unsealedSkipped.incrementAndGet();
    }

    /** Entries of other local nodes not sent because no seal of theirs came to this node in time (e.g. loaded from its journal, author gone): see SealWait. */
    public long unsealedSkips() {
        return unsealedSkipped.get();
    }

    void refusedNotWritable() {
        refusedNotWritable.incrementAndGet();
    }

    void refusedLocalAuthor() {
        refusedLocalAuthor.incrementAndGet();
    }

    /** Entries from the remote cluster refused because the configuration does not let it write them. */
    public long notWritableRefusals() {
        return refusedNotWritable.get();
    }

    /** Entries from the remote cluster refused because they claim a member of this cluster as author. */
    public long localAuthorRefusals() {
        return refusedLocalAuthor.get();
    }

    void sent(int entries) {
        sent.addAndGet(entries);
    }

    void received() {
        received.incrementAndGet();
    }

    void echoSuppressed() {
        echoesSuppressed.incrementAndGet();
    }

    void linkUp() {
        linksUp.incrementAndGet();
    }

    void linkFailed() {
        linksFailed.incrementAndGet();
    }

    public long entriesSent() {
        return sent.get();
    }

    public long entriesReceived() {
        return received.get();
    }

    public long echoesSuppressed() {
        return echoesSuppressed.get();
    }

    public long linksUp() {
        return linksUp.get();
    }

    /** Connections that failed, in the TLS handshake (wrong CA) or later. */
    public long linksFailed() {
        return linksFailed.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("bridge.entries.sent", entriesSent());
        out.put("bridge.entries.received", entriesReceived());
        out.put("bridge.entries.echo-suppressed", echoesSuppressed());
        out.put("bridge.links.up", linksUp());
        out.put("bridge.links.failed", linksFailed());
        out.put("bridge.refused.not-writable", refusedNotWritable.get());
        out.put("bridge.refused.local-author", refusedLocalAuthor.get());
        out.put("bridge.entries.unsealed-skipped", unsealedSkipped.get());
        return out;
    }
}
