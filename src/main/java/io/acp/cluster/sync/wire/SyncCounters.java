package io.acp.cluster.sync.wire;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the sync protocol on one node, later published as node stats ({@code sync.*}).
 * Updated from the receive and sync threads, read from anywhere.
 */
public final class SyncCounters {

    private final EnumMap<DropReason, AtomicLong> dropped = new EnumMap<>(DropReason.class);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong entriesSent = new AtomicLong();
    private final AtomicLong entriesMerged = new AtomicLong();
    private final AtomicLong entriesIgnored = new AtomicLong();
    private final AtomicLong pullsSent = new AtomicLong();
    private final AtomicLong pullsServed = new AtomicLong();
    private final AtomicLong reportsForgotten = new AtomicLong();
    private final AtomicLong statsSetsAccepted = new AtomicLong();
    private final AtomicLong heartbeatsPastWindow = new AtomicLong();
    private final AtomicLong objectsReturned = new AtomicLong();
    private final AtomicLong returnedSealedAgain = new AtomicLong();
    private final AtomicLong returnedTakenBack = new AtomicLong();

    public SyncCounters() {
        for (DropReason r : DropReason.values()) {
            dropped.put(r, new AtomicLong());
        }
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).incrementAndGet();
    }


    public long droppedCount(DropReason reason) {
        return dropped.get(reason).get();
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(AtomicLong::get).sum();
    }

    void accepted() {
        accepted.incrementAndGet();
    }

    public long acceptedCount() {
        return accepted.get();
    }

    public void entriesSent(int n) {
        entriesSent.addAndGet(n);
    }

    /** An entry received from a peer that changed this node's state. */
    public void entryMerged() {
        entriesMerged.incrementAndGet();
    }

    /** An entry received that this node already had (or had newer). */
    public void entryIgnored() {
        entriesIgnored.incrementAndGet();
    }

    public long entriesMergedCount() {
        return entriesMerged.get();
    }

    public void pullSent() {
        pullsSent.incrementAndGet();
    }

    public void pullServed() {
        pullsServed.incrementAndGet();
    }

    /** Reports of a restarted peer forgotten because this node held them without their seal. */
    public void reportsForgotten(int n) {
        reportsForgotten.addAndGet(n);
    }

    public long reportsForgottenCount() {
        return reportsForgotten.get();
    }

    /** A stats set whose seal passed the origin check (docs/protocol.md, "Stats sets"). */
    public void statsSetAccepted() {
        statsSetsAccepted.incrementAndGet();
    }

    /** A heartbeat the replay window refused but the sender's hash chain proved fresh: the window was pushed. */
    public void heartbeatPastWindow() {
        heartbeatsPastWindow.incrementAndGet();
    }

    public long heartbeatsPastWindowCount() {
        return heartbeatsPastWindow.get();
    }

    /** Objects handed back to their authors, which this node held under their pair tags only (docs/protocol.md, "Returned objects"). */
    public void objectsReturned(int n) {
        objectsReturned.addAndGet(n);
    }

    /** One of this node's objects a member returned that it holds, and sent again to be sealed. */
    public void returnedSealedAgain() {
        returnedSealedAgain.incrementAndGet();
    }

    /** One of this node's objects a member returned that it no longer held (an earlier life's), taken back. */
    public void returnedTakenBack() {
        returnedTakenBack.incrementAndGet();
    }

    public long returnedTakenBackCount() {
        return returnedTakenBack.get();
    }

    /** Every counter by its stat name, sorted. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        dropped.forEach((r, n) -> out.put("sync.dropped." + r.statName(), n.get()));
        out.put("sync.datagrams.accepted", accepted.get());
        out.put("sync.entries.sent", entriesSent.get());
        out.put("sync.entries.merged", entriesMerged.get());
        out.put("sync.entries.ignored", entriesIgnored.get());
        out.put("sync.pulls.sent", pullsSent.get());
        out.put("sync.pulls.served", pullsServed.get());
        out.put("sync.reports.forgotten", reportsForgotten.get());
        out.put("sync.stats-sets.accepted", statsSetsAccepted.get());
        out.put("sync.heartbeats.past-window", heartbeatsPastWindow.get());
        out.put("sync.objects.returned", objectsReturned.get());
        out.put("sync.objects.sealed-again", returnedSealedAgain.get());
        out.put("sync.objects.taken-back", returnedTakenBack.get());
        return out;
    }
}
