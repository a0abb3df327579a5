package io.acp.cluster.sync.wire;

/** What a sync message carries; the code is the type byte of the datagram header. */
public enum MessageType {
    /** Multicast, periodic: "I am alive" plus this node's state digest (root hash, entry count). */
    HEARTBEAT(1),
    /** Multicast: entries this node originated, batched. */
    DELTA(2),
    /** Unicast to one peer: the sender's bucket hashes; "send me what differs". */
    PULL(3),
    /** Unicast reply to a PULL: entries of the buckets that differ. */
    ENTRIES(4),
    /**
     * Multicast: entries this node originated, authenticated to each receiver by a pair tag instead
     * of a signature (small groups; their seal follows with the next heartbeat's DELTA).
     */
    TAGGED_DELTA(5),
    /**
     * Multicast, right before the DELTA of a batch this node sealed: the batch's root and signature
     * with one pair tag per receiver, so a receiver takes the seal without verifying it.
     */
    SEAL_TAGS(6),
    /**
     * Unicast to one member: objects that member wrote which the sender holds under a pair tag only
     * (their seal never came), each under the sender's pair tag for the author. The author seals
     * them again, or takes back what it lost with its disk (docs/protocol.md, "Returned objects").
     */
    RETURNED(7);

    private final int code;

    /** {@link #values()} copies its array at every call, and this runs once per datagram received. */
    private static final MessageType[] ALL = values();

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a code, or null if no such type (a datagram from a newer or broken sender). */
    public static MessageType of(int code) {
        for (MessageType t : ALL) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
