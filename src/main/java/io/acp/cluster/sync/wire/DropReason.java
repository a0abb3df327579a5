package io.acp.cluster.sync.wire;

/** Why a received datagram was dropped; each reason has its own counter. */
public enum DropReason {
    /** Shorter than a header plus a tag, or the sender field runs past the end. */
    TOO_SHORT("too-short"),
    BAD_MAGIC("bad-magic"),
    BAD_VERSION("bad-version"),
    /** Another cluster id on the same group and port. */
    FOREIGN_CLUSTER("foreign-cluster"),
    /** Unknown key id or an authentication tag that does not verify: forged, corrupt, or another secret. */
    FORGED("forged"),
    /** A sequence number already seen (or too old for the window) in the sender's current epoch. */
    REPLAYED("replayed"),
    /** An epoch older than the newest one seen from that sender (a previous run of it). */
    STALE_EPOCH("stale-epoch"),
    /**
     * An epoch further ahead of this node's clock than any sender's can be (epochs are a run's start
     * in seconds): taken, it would make every later epoch of that sender stale.
     */
    FUTURE_EPOCH("future-epoch"),
    /** Authentic but unreadable: unknown type, bad fragment fields, or a body that does not parse. */
    MALFORMED("malformed"),
    /** A fragmented message that did not complete in time or did not fit the reassembly buffers. */
    INCOMPLETE("incomplete"),
    /** Authentic, but the sync thread was too far behind to take it (bounded hand-over queue). */
    OVERLOAD("overload");

    private final String statName;

    DropReason(String statName) {
        this.statName = statName;
    }

    /** The name in node stats: {@code sync.dropped.<name>}. */
    public String statName() {
        return statName;
    }
}
