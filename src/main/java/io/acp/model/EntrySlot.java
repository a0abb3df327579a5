package io.acp.model;

/**
 * One value of the CDB that an entry writes: an object (whoever wrote its version), or one node's
 * meta or stats of an object. Newer entries of a slot replace older ones; entries of two slots
 * never do. The key of every map that keeps "the latest entry per value" (the change stream's
 * coalescing, the sync's bundler and seals, the bridge's origins), so they agree on what one value is: keyed
 * by an object's writer, two writers' versions of one object would be kept as two values.
 */
public record EntrySlot(Entry.Kind kind, ObjectKey key, String node) {

    /** The slot {@code e} writes; an object's node is left empty. */
    public static EntrySlot of(Entry e) {
        return new EntrySlot(e.kind(), e.key(), e.kind() == Entry.Kind.OBJECT ? "" : e.node());
    }
}
