package io.acp.cluster.sync.origin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The signed parts of HEARTBEAT and PULL bodies (docs/protocol.md, "Control messages"):
 *
 * <pre>
 * heartbeat: digest (12) | key id (8) | segment (4) | index (2) | chain value (16) | anchor (16)
 *            | address length a (1) | address (a) | port (2) | anchor signature (64)
 * pull:      bucket hashes | key id (8) | counter (8) | signature (64)
 * </pre>
 *
 * A heartbeat proves its sender by a hash chain: the sender draws a random value v[n] per segment of
 * {@value #SEGMENT} heartbeats, computes v[i] = H(v[i+1]) down to the anchor v[0], signs the anchor
 * once (with its epoch, segment and unicast address) and reveals v[1], v[2], ... one per heartbeat.
 * A receiver checks the anchor's signature once per segment, then each heartbeat with one hash:
 * H(v[i]) = v[i-1]. Only the holder of the chain can reveal the next value, so nobody else can make
 * a node look alive, and a value once revealed is never accepted again.
 */
final class ControlFormat {

    static final int SEGMENT = 1024;
    static final int DIGEST_LENGTH = 12;
    static final int VALUE_LENGTH = 16;
    private static final byte[] ANCHOR_PREFIX = "acp sync heartbeat v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PULL_PREFIX = "acp sync pull v1\0".getBytes(StandardCharsets.US_ASCII);

    private ControlFormat() {
    }

    /** One step down the chain: H(0x02 ‖ value), truncated (0x02 keeps it apart from tree hashes). */
    static byte[] chainStep(MessageDigest d, byte[] value) {
        d.update((byte) 2);
        d.update(value);
        return Arrays.copyOf(d.digest(), VALUE_LENGTH);
    }

    static byte[] anchorDigest(MessageDigest d, String node, long epoch, long keyId, int segment, byte[] anchor, InetSocketAddress address) {
        d.update(ANCHOR_PREFIX);
        d.update(node.getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(ByteBuffer.allocate(20).putLong(epoch).putLong(keyId).putInt(segment).array());
        d.update(anchor);
        writeAddress(d, address);
        return d.digest();
    }

    static byte[] pullDigest(MessageDigest d, String node, String target, long epoch, long keyId, long counter, byte[] buckets) {
        d.update(PULL_PREFIX);
        d.update(node.getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(target.getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(ByteBuffer.allocate(24).putLong(epoch).putLong(keyId).putLong(counter).array());
        d.update(buckets);
        return d.digest();
    }

    private static void writeAddress(MessageDigest d, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        d.update((byte) ip.length);
        d.update(ip);
        d.update((byte) (a.getPort() >> 8));
        d.update((byte) a.getPort());
    }

    static void putAddress(ByteBuffer b, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        b.put((byte) ip.length);
        b.put(ip);
        b.putShort((short) a.getPort());
    }

    static InetSocketAddress getAddress(ByteBuffer b) {
        int n = b.get() & 0xFF;
        if (n != 4 && n != 16) {
            throw new IllegalArgumentException("heartbeat address has " + n + " bytes");
        }
        byte[] ip = new byte[n];
        b.get(ip);
        int port = b.getShort() & 0xFFFF;
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("heartbeat address is not an IP address");
        }
    }

    static int addressLength(InetSocketAddress a) {
        return 1 + a.getAddress().getAddress().length + 2;
    }
}
