package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.Version;

/**
 * What the sync keeps of one stats series, its author's seal of the latest sample, attached to the
 * CDB's series itself ({@link Cdb#statsAttachment}) rather than in a map of its own over the same
 * slots: at 1 s stats every received sample used to visit the CDB's series, the seal store's slot
 * and the state index's slot, each out of the cache. Now the series' look-up finds the seal, the
 * index hears of a series once ({@link Cdb#changesOfSeries}), and the seal goes with the series.
 *
 * <p>The seal is kept as its bytes, copied into arrays this slot owns and reuses, not as the
 * received {@link SealedEntry}: that object graph (the entry decoded once more from the sealed
 * datagram, its values and version, the encoded bytes, the seal, its author string, path,
 * signature and root) is new for every seal and lives until the next seal of the series, so it
 * survived each young collection and every young pause copied it, for every series of the node
 * (docs/benchmarks.md, "Seals kept as bytes"). The slot itself is old; overwriting its arrays
 * leaves nothing young behind. {@link #sealOf} builds a {@link SealedEntry} again when one is
 * relayed, which is rare next to receiving.
 */
final class StatsSlot {

    /** The slot of an existing series, made on first use; null if the CDB holds no series for the entry's (object, node). */
    static StatsSlot of(Cdb cdb, Entry e) {
        return (StatsSlot) cdb.statsAttachment(e.key(), e.node(), StatsSlot::new);
    }

    // The held seal's version, compared in place. Guarded by this.
    private long sealTime = Long.MIN_VALUE;
    private String sealNode;
    // The held seal's parts; the arrays are reused while their length stays. Guarded by this.
    private String author;
    private long keyId;
    private int height;
    private int leaf;
    private byte[] encoded;
    private byte[] path;
    private byte[] signature;

    /** Keeps the seal unless one of a newer sample is held. Written on the sync thread. */
    synchronized void seal(SealedEntry s) {
        Version v = s.entry().version();
        if (sealNode == null || v.time() > sealTime || v.time() == sealTime && v.node().compareTo(sealNode) > 0) {
            sealTime = v.time();
            sealNode = keepOld(sealNode, v.node());
            Seal seal = s.seal();
            author = keepOld(author, seal.author());
            keyId = seal.keyId();
            height = seal.height();
            leaf = seal.leaf();
            encoded = copyInto(encoded, s.encoded());
            path = copyInto(path, seal.path());
            signature = copyInto(signature, seal.signature());
        }
    }

    /**
     * The held seal as a {@link SealedEntry} of {@code e} if it is the seal of exactly {@code e}'s
     * version, else null. New arrays each call: a caller may keep what it is given. Read by the sync
     * thread and the L3 bridge.
     */
    synchronized SealedEntry sealOf(Entry e) {
        Version v = e.version();
        if (sealNode == null || v.time() != sealTime || !v.node().equals(sealNode)) {
            return null;
        }
        return new SealedEntry(e, encoded.clone(), new Seal(author, keyId, height, leaf, path.clone(), signature.clone()));
    }

    /** {@code fresh}, unless it equals {@code held}: then the held (old) string, so the fresh one dies young. */
    static String keepOld(String held, String fresh) {
        return fresh.equals(held) ? held : fresh;
    }

    /** {@code src}'s bytes in {@code into} when it has the length (the usual case), else in a new array. */
    static byte[] copyInto(byte[] into, byte[] src) {
        if (into == null || into.length != src.length) {
            return src.clone();
        }
        System.arraycopy(src, 0, into, 0, src.length);
        return into;
    }
}
