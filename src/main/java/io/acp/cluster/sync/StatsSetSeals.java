package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import io.acp.model.StatsEntry;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The seals of one author's stats sets (docs/protocol.md, "Stats sets"): one per part of the
 * author's current split, the newest of each. A set holds every series of its part, so the newest
 * set of a part seals the current sample of each of them: one kept seal stands for a part's
 * samples, where a seal per series used to be copied for every received sample.
 *
 * <p>Like {@link StatsSlot}, a kept set is copied into arrays this object owns and reuses, so
 * nothing young outlives the next collection; the relayable form and the index of the set's
 * samples are made only when a relay asks (rare next to receiving), once per kept set.
 * Written by the sync thread; read by it and the L3 bridge.
 */
final class StatsSetSeals {

    /** One part's newest set. */
    private static final class Part {
        long time = Long.MIN_VALUE;
        byte[] encoded;
        String author;
        long keyId;
        int height;
        int leaf;
        byte[] path;
        byte[] signature;
        /** Made when first relayed, dropped when a newer set is kept. */
        byte[] relayEncoded;
        Seal relaySeal;
        Map<ObjectKey, Long> sampleTimes;
    }

    private int parts;
    private long newest = Long.MIN_VALUE;
    private Part[] slots = new Part[0];

    /**
     * Keeps the seal of a set (a sample of it: they share the set's bytes and seal) unless a newer
     * set of its part is held. A set of a newer split replaces every part of the older one.
     */
    synchronized void keep(SealedEntry s) {
        StatsSetCodec.Header h = StatsSetCodec.header(s.encoded());
        if (h.parts() != parts) {
            if (h.time() <= newest) {
                return; // of an older split
            }
            parts = h.parts();
            slots = new Part[parts];
        }
        Part p = slots[h.part()];
        if (p == null) {
            p = slots[h.part()] = new Part();
        } else if (h.time() <= p.time) {
            return;
        }
        Seal seal = s.seal();
        p.time = h.time();
        newest = Math.max(newest, h.time());
        p.encoded = StatsSlot.copyInto(p.encoded, s.encoded());
        p.author = StatsSlot.keepOld(p.author, seal.author());
        p.keyId = seal.keyId();
        p.height = seal.height();
        p.leaf = seal.leaf();
        p.path = StatsSlot.copyInto(p.path, seal.path());
        p.signature = StatsSlot.copyInto(p.signature, seal.signature());
        p.relayEncoded = null;
        p.relaySeal = null;
        p.sampleTimes = null;
    }

    /**
     * The sealed form of exactly {@code e}'s sample as a kept set holds it, or null. Every sample of
     * one kept set gets the same bytes and seal instances, so a relay sends the set once however
     * many of its samples it relays.
     */
    synchronized SealedEntry sealOf(StatsEntry e) {
        if (parts == 0) {
            return null;
        }
        Part p = slots[StatsSetCodec.partOf(e.key(), parts)];
        if (p == null) {
            return null;
        }
        if (p.sampleTimes == null) {
            p.relayEncoded = p.encoded.clone();
            p.relaySeal = new Seal(p.author, p.keyId, p.height, p.leaf, p.path.clone(), p.signature.clone());
            p.sampleTimes = new HashMap<>();
            for (StatsEntry sample : StatsSetCodec.decodeOne(ByteBuffer.wrap(p.relayEncoded)).samples()) {
                p.sampleTimes.put(sample.key(), sample.version().time());
            }
        }
        Long time = p.sampleTimes.get(e.key());
        return time != null && time == e.version().time() ? new SealedEntry(e, p.relayEncoded, p.relaySeal) : null;
    }
}
