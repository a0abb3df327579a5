package io.acp.cluster;

import java.util.List;

/**
 * The names of the threads every object write passes through, where they are made (the journal,
 * {@link ObjectWriter}) and where they are looked for (the log of a start that waits for a write).
 */
public final class WriteThreads {

    /** The journal's thread that acknowledges synced writes: whatever a write's caller chained on runs here. */
    public static final String JOURNAL_ACKS = "acp-journal-ack";
    /** The journal's thread that appends and syncs: every object write waits for it. */
    public static final String JOURNAL_WRITER = "acp-journal";
    /** The CDB's writer, one per node; its thread's name ends with the node's id. */
    public static final String CDB_WRITER_PREFIX = "acp-cdb-writer-";

    /**
     * The most telling first: the acknowledgements (code chained onto a write may block every later
     * one there), the journal's writer, then the CDB's writers. Each is a prefix of the thread names;
     * a name is of the first one it starts with.
     */
    public static final List<String> IN_ORDER = List.of(JOURNAL_ACKS, JOURNAL_WRITER, CDB_WRITER_PREFIX);

    private WriteThreads() {
    }

    /** The position in {@link #IN_ORDER} of the first name {@code thread} starts with; its size if none. */
    public static int rank(String thread) {
        for (int i = 0; i < IN_ORDER.size(); i++) {
            if (thread.startsWith(IN_ORDER.get(i))) {
                return i;
            }
        }
        return IN_ORDER.size();
    }
}
