package io.acp.cluster.sync.wire;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks and decrypts received datagrams. Order matters: cheap structural checks, then
 * authentication of header and body, and only then anything that parses the body or changes
 * state (the replay window), so forged datagrams cost one failed tag check and change nothing.
 * Every drop is counted. Not thread-safe: used by the one receive thread.
 */
public final class DatagramOpener {

    private final ClusterKeys keys;
    private final String localNode;
    private final SyncCounters counters;
    private final ReplayGuard replay;
    private final Cipher cipher;

    public DatagramOpener(ClusterKeys keys, String localNode, SyncCounters counters) {
        this(keys, localNode, counters, new ReplayGuard());
    }

    /** @param replay the replay window, restored from the marks saved by the previous run */
    public DatagramOpener(ClusterKeys keys, String localNode, SyncCounters counters, ReplayGuard replay) {
        this.replay = replay;
        this.keys = keys;
        this.localNode = localNode;
        this.counters = counters;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM missing from this JDK", e);
        }
    }

    /** The opened datagram, or null if it was dropped (and counted) or is our own multicast looped back. */
    public Opened open(byte[] d) {
        if (d.length < DatagramHeader.FIXED_LENGTH + 1 + DatagramHeader.TAG_LENGTH) {
            return drop(DropReason.TOO_SHORT);
        }
        ByteBuffer b = ByteBuffer.wrap(d);
        if (b.getShort(0) != DatagramHeader.MAGIC) {
            return drop(DropReason.BAD_MAGIC);
        }
        if ((d[2] & 0xFF) != DatagramHeader.VERSION) {
            return drop(DropReason.BAD_VERSION);
        }
        if (b.getLong(8) != keys.clusterId()) {
            return drop(DropReason.FOREIGN_CLUSTER);
        }
        int senderLength = d[36] & 0xFF;
        int headerLength = DatagramHeader.FIXED_LENGTH + senderLength;
        if (senderLength == 0 || d.length < headerLength + DatagramHeader.TAG_LENGTH) {
            return drop(DropReason.TOO_SHORT);
        }
        String sender = new String(d, DatagramHeader.FIXED_LENGTH, senderLength, java.nio.charset.StandardCharsets.US_ASCII);
        if (sender.equals(localNode)) {
            return null; // our own multicast, looped back to us
        }
        int keyId = b.getInt(4);
        SecretKeySpec key = keys.receiveKey(keyId, sender).orElse(null);
        if (key == null) {
            return drop(DropReason.FORGED);
        }
        byte[] body;
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, d, 16, 12));
            cipher.updateAAD(d, 0, headerLength);
            body = cipher.doFinal(d, headerLength, d.length - headerLength);
        } catch (AEADBadTagException e) {
            return drop(DropReason.FORGED);
        } catch (GeneralSecurityException e) {
            return drop(DropReason.FORGED);
        }
        keys.confirm(keyId, sender, key);
        DatagramHeader h;
        try {
            h = DatagramHeader.read(d);
        } catch (IllegalArgumentException e) {
            return drop(DropReason.MALFORMED);
        }
        if (h.type() == null) {
            return drop(DropReason.MALFORMED);
        }
        DropReason stale = replay.check(sender, h.epoch(), h.sequence());
        if (stale != null) {
            return drop(stale);
        }
        counters.accepted();
        return new Opened(h, body);
    }

    private Opened drop(DropReason reason) {
        counters.dropped(reason);
        return null;
    }
}
