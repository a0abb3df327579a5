package io.acp.cluster.sync.origin;

import io.acp.model.Entry;

/**
 * An entry as its author sealed it: the exact bytes that were hashed (so a relay passes them on
 * unchanged rather than re-encoding them) and the seal.
 *
 * @param encoded the entry in {@link io.acp.cluster.sync.wire.EntryCodec} form, length prefix included
 * @param root    the tree root this node computed from {@code encoded} when it decoded the entry's
 *                group (once per group), or null: then the check climbs the seal's path itself
 */
public record SealedEntry(Entry entry, byte[] encoded, Seal seal, byte[] root) {

    public SealedEntry(Entry entry, byte[] encoded, Seal seal) {
        this(entry, encoded, seal, null);
    }

    /** The node that must have written this entry: the writer of an object, the reporter of meta and stats. */
    public static String requiredAuthor(Entry e) {
        return e.version().node();
    }

    /** Whether this is a sample of a stats set: the samples of one set share its bytes and seal (docs/protocol.md, "Stats sets"). */
    public boolean inStatsSet() {
        return entry.kind() == Entry.Kind.STATS && io.acp.cluster.sync.wire.StatsSetCodec.isSet(encoded, 0);
    }

    public int length() {
        return encoded.length + seal.length();
    }
}
