package io.acp.cluster.sync.wire;

/** An authenticated, fresh datagram: its header and decrypted body fragment. */
public record Opened(DatagramHeader header, byte[] body) {
}
