package io.acp.cluster.sync.origin;

/**
 * Why a received entry was refused by origin authentication; each rule has its own counter
 * ({@code sync.refused.<name>}) and log line naming the sending node.
 */
public enum Refusal {
    /** No seal: nothing proves who wrote it. */
    UNSIGNED("unsigned"),
    /**
     * The seal's author is not the node the entry must come from: the writer of an object (its
     * version's node), the node whose meta or stats it is.
     */
    NOT_AUTHOR("not-author"),
    /** A DELTA carries only the sender's own entries; this one is someone else's. */
    NOT_SENDER("not-sender"),
    /** No certificate of the author with the seal's key is known (yet); anti-entropy brings it later. */
    UNKNOWN_AUTHOR("unknown-author"),
    /** The author's certificate is revoked or expired. */
    REVOKED("revoked"),
    /** A published certificate that the cluster CA did not issue for that node. */
    BAD_CERTIFICATE("bad-certificate"),
    /** The seal does not verify: the entry or its seal was changed, or the signer is not the author. */
    BAD_SIGNATURE("bad-signature"),
    /**
     * A tagged delta whose tag for this node does not verify under the pair key of its sender and
     * this node: changed on the way, or not made by the sender (a tag only the two can compute).
     */
    BAD_TAG("bad-tag"),
    /**
     * A heartbeat or pull that is not newer than the last one verified from its sender (a replay,
     * or a copy re-sent by a holder of the cluster secret), or a pull dated outside the clock bound.
     */
    STALE("stale"),
    /** From a bridge: outside what its configuration lets the remote cluster write, or claiming a local author. */
    NOT_ALLOWED("not-allowed");

    private final String statName;

    Refusal(String statName) {
        this.statName = statName;
    }

    public String statName() {
        return statName;
    }
}
