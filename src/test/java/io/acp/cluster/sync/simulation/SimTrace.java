package io.acp.cluster.sync.simulation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A running hash of what happened in one run (deliveries with every byte delivered, drops, steps):
 * equal hashes, equal runs, down to the bytes on the simulated wire.
 */
final class SimTrace {

    private final MessageDigest sha;
    private long events;

    SimTrace() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized void record(String event) {
        sha.update(event.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        events++;
    }

    /** An event and the bytes it carried (a delivered datagram). */
    synchronized void record(String event, byte[] payload) {
        record(event);
        sha.update(payload);
    }

    synchronized long events() {
        return events;
    }

    /** The hash so far (the trace goes on). */
    synchronized String hash() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) sha.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
