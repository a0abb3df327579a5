package io.acp.cluster.sync.wire;

/**
 * An authenticated datagram: its header and decrypted body fragment. Fresh by the replay window,
 * or, {@code pastWindow}, a single-datagram heartbeat the window refused (counted as dropped) that
 * goes on only to be checked against the sender's hash chain (docs/security.md, "What a receiver
 * keeps for senders is bounded").
 */
public record Opened(DatagramHeader header, byte[] body, boolean pastWindow) {

    public Opened(DatagramHeader header, byte[] body) {
        this(header, body, false);
    }
}
