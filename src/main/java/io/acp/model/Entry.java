package io.acp.model;

/**
 * One versioned value in the CDB: an object, or one node's meta or stats for an object.
 * Every change the CDB publishes is the new entry itself.
 */
public sealed interface Entry permits ObjectEntry, MetaEntry, StatsEntry {

    enum Kind {
        OBJECT, META, STATS;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    Kind kind();

    ObjectKey key();

    /** The node this entry belongs to: the reporting node for meta and stats, the writer for objects. */
    String node();

    Version version();
}
