package io.acp.cluster;

/** What {@link Cdb#mergeFrom} did with an entry from another node. */
public enum MergeOutcome {
    /** Newer than what this node holds: applied (an object once its journal record is fsynced). */
    TAKEN,
    /**
     * A report (meta or stats) this node had forgotten, taken back at the very version it held or
     * an older one (see {@link Cdb#forgetReport}): stored, but no change is emitted, since
     * subscribers saw that version or a later one before; the caller that keeps an index of the
     * CDB updates it itself.
     */
    RESTORED,
    /** Not newer than what this node holds or has queued: nothing changed. */
    STALE,
    /**
     * Its version is further ahead of this node's wall clock than the configured bound: refused,
     * and the local clock did not move (a poisoned or badly skewed clock must not spread).
     */
    TOO_FAR_AHEAD
}
