package io.acp.cluster.sync.wire;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Turns messages of this node into sealed datagrams: AES-256-GCM over the body, the header as
 * associated data, fragmenting bodies that do not fit one datagram. Owns the sequence and message
 * counters of this node's current epoch. Thread-safe (sealing is serialized).
 */
public final class DatagramSealer {

    private final ClusterKeys keys;
    private final String sender;
    private final long epoch;
    private final int maxDatagram;
    private final Cipher cipher;
    private long sequence;
    private int messageId;

    /** @param maxDatagram the largest datagram to send, header and tag included (keep it under the path MTU) */
    public DatagramSealer(ClusterKeys keys, String sender, long epoch, int maxDatagram) {
        this(keys, sender, epoch, 0, maxDatagram);
    }

    /**
     * A sealer whose first datagram has sequence {@code after + 1}: what a test playing a holder of
     * the cluster secret uses to write in a live sender's epoch past the sequences it used.
     */
    public DatagramSealer(ClusterKeys keys, String sender, long epoch, long after, int maxDatagram) {
        this.sequence = after;
        this.keys = keys;
        this.sender = sender;
        this.epoch = epoch;
        this.maxDatagram = maxDatagram;
        if (maxBodyPerDatagram() < 64) {
            throw new IllegalArgumentException("max datagram size " + maxDatagram + " leaves no room for a body after the header of node " + sender);
        }
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM missing from this JDK", e);
        }
    }

    /** Body bytes that fit one datagram. */
    public int maxBodyPerDatagram() {
        return maxDatagram - DatagramHeader.FIXED_LENGTH - sender.length() - DatagramHeader.TAG_LENGTH;
    }

    /** The datagrams of one message, in fragment order. */
    public synchronized byte[][] seal(MessageType type, byte[] body) {
        int chunk = maxBodyPerDatagram();
        int count = Math.max(1, (body.length + chunk - 1) / chunk);
        if (count > Reassembler.MAX_FRAGMENTS) {
            throw new IllegalArgumentException(type + " message of " + body.length + " bytes from node " + sender
                    + " needs " + count + " fragments; at most " + Reassembler.MAX_FRAGMENTS + " are allowed");
        }
        int id = ++messageId;
        byte[][] out = new byte[count][];
        ClusterKeys.SendKey key = keys.sendKeyOf(sender);
        for (int i = 0; i < count; i++) {
            int from = i * chunk;
            int len = Math.min(chunk, body.length - from);
            DatagramHeader h = new DatagramHeader(type, key.keyId(), keys.clusterId(), sender, epoch, ++sequence, id, i, count);
            out[i] = sealOne(h, key, body, from, len);
        }
        return out;
    }

    private byte[] sealOne(DatagramHeader h, ClusterKeys.SendKey key, byte[] body, int from, int len) {
        byte[] d = new byte[h.length() + len + DatagramHeader.TAG_LENGTH];
        ByteBuffer b = ByteBuffer.wrap(d);
        h.writeTo(b);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, h.nonce()));
            cipher.updateAAD(d, 0, h.length());
            cipher.doFinal(body, from, len, d, h.length());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a sync datagram of node " + sender + " failed", e);
        }
        return d;
    }
}
