package io.acp.cluster.sync.origin;

import io.acp.model.Entry;

/**
 * An entry as its author sealed it: the exact bytes that were hashed (so a relay passes them on
 * unchanged rather than re-encoding them) and the seal.
 *
 * @param encoded the entry in {@link io.acp.cluster.sync.wire.EntryCodec} form, length prefix included
 */
public record SealedEntry(Entry entry, byte[] encoded, Seal seal) {

    /** The node that must have written this entry: the writer of an object, the reporter of meta and stats. */
    public static String requiredAuthor(Entry e) {
        return e.version().node();
    }

    public int length() {
        return encoded.length + seal.length();
    }
}
