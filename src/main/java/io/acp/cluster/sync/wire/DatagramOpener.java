package io.acp.cluster.sync.wire;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
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
    /** For keys not (yet) proven by a datagram: a forged sender id never gets a cipher of its own. */
    private final Cipher cipher;
    /**
     * One cipher per sender whose key has authenticated a datagram. The JDK's AES keeps the round
     * keys of the last key it was given: with one cipher for all senders, datagrams of alternating
     * senders made it expand a key for every datagram (about 1.5 KB of garbage and the CPU of the
     * key schedule each; docs/benchmarks.md, "Cluster sync"). An entry is only made after
     * authentication under the cluster secret, and replaced when its sender's key id changes; but
     * any holder of the secret can authenticate datagrams under names it makes up, so the map keeps
     * the {@link #MAX_SENDER_CIPHERS} senders whose ciphers were made last (a sender dropped from it
     * gets its cipher again with its next datagram).
     */
    private final Map<String, SenderCipher> senderCiphers = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SenderCipher> eldest) {
            return size() > MAX_SENDER_CIPHERS;
        }
    };
    /** Senders with a cipher of their own at most: far beyond a cluster's members. */
    static final int MAX_SENDER_CIPHERS = 1024;
    /**
     * How far a sender's epoch may be ahead of this node's clock, in seconds. A run's epoch is its
     * start in seconds (one more than the last if that is not earlier), so a real sender's is ahead
     * only by the clocks' difference; one far ahead would make every later run of that sender stale
     * here (and in the marks saved across restarts) until the clock caught up.
     */
    public static final long MAX_EPOCH_AHEAD_SECONDS = 300;
    private final LongSupplier wallMillis;

    private record SenderCipher(int keyId, SecretKeySpec key, Cipher cipher) {
    }

    public DatagramOpener(ClusterKeys keys, String localNode, SyncCounters counters) {
        this(keys, localNode, counters, new ReplayGuard(), System::currentTimeMillis);
    }

    /**
     * @param replay     the replay window, restored from the marks saved by the previous run
     * @param wallMillis this node's clock, which senders' epochs may not be far ahead of
     */
    public DatagramOpener(ClusterKeys keys, String localNode, SyncCounters counters, ReplayGuard replay, LongSupplier wallMillis) {
        this.replay = replay;
        this.wallMillis = wallMillis;
        this.keys = keys;
        this.localNode = localNode;
        this.counters = counters;
        try {
            this.cipher = newCipher();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM missing from this JDK", e);
        }
    }

    private static Cipher newCipher() throws GeneralSecurityException {
        return Cipher.getInstance("AES/GCM/NoPadding");
    }

    /** The opened datagram, or null if it was dropped (and counted) or is our own multicast looped back. */
    public Opened open(byte[] d) {
        return open(d, d.length);
    }

    /**
     * The opened datagram in the first {@code length} bytes of {@code d}, or null if it was dropped
     * (and counted) or is our own multicast looped back. Nothing kept refers to {@code d}: the body
     * is decrypted into an array of its own, so the caller may reuse {@code d}.
     */
    public Opened open(byte[] d, int length) {
        if (length < DatagramHeader.FIXED_LENGTH + 1 + DatagramHeader.TAG_LENGTH) {
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
        if (senderLength == 0 || length < headerLength + DatagramHeader.TAG_LENGTH) {
            return drop(DropReason.TOO_SHORT);
        }
        String sender = senderName(d, DatagramHeader.FIXED_LENGTH, senderLength);
        if (sender.equals(localNode)) {
            return null; // our own multicast, looped back to us
        }
        int keyId = b.getInt(4);
        SenderCipher known = senderCiphers.get(sender);
        if (known != null && (known.keyId() != keyId || !keys.accepts(keyId))) {
            known = null; // another key of the sender (a rotation): derived and proven anew below
        }
        SecretKeySpec key = known != null ? known.key() : keys.receiveKey(keyId, sender).orElse(null);
        if (key == null) {
            return drop(DropReason.FORGED);
        }
        Cipher c = known != null ? known.cipher() : cipher;
        byte[] body;
        try {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, d, 16, 12));
            c.updateAAD(d, 0, headerLength);
            body = c.doFinal(d, headerLength, length - headerLength);
        } catch (AEADBadTagException e) {
            return drop(DropReason.FORGED);
        } catch (GeneralSecurityException e) {
            return drop(DropReason.FORGED);
        }
        if (known == null) {
            keys.confirm(keyId, sender, key);
            remember(sender, keyId, key);
        }
        DatagramHeader h;
        try {
            h = DatagramHeader.read(d, sender);
        } catch (IllegalArgumentException e) {
            return drop(DropReason.MALFORMED);
        }
        if (h.type() == null) {
            return drop(DropReason.MALFORMED);
        }
        if (h.epoch() > wallMillis.getAsLong() / 1000 + MAX_EPOCH_AHEAD_SECONDS) {
            return drop(DropReason.FUTURE_EPOCH);
        }
        DropReason stale = replay.check(sender, h.epoch(), h.sequence());
        if (stale != null) {
            drop(stale);
            // A heartbeat proves its freshness by its hash chain, not by the window, which a holder of
            // the cluster secret can push past a member's real sequence or epoch: it goes on to that check.
            return h.type() == MessageType.HEARTBEAT && h.fragmentCount() == 1 ? new Opened(h, body, true) : null;
        }
        counters.accepted();
        return new Opened(h, body);
    }

    /**
     * The sender's name as ASCII: through the wire's string cache (the same few names arrive in
     * every datagram, so no new string, and its hash for the look-ups below is already computed),
     * unless a byte is not ASCII, which only a forged or broken datagram has.
     */
    private static String senderName(byte[] d, int off, int n) {
        for (int i = off; i < off + n; i++) {
            if (d[i] < 0) {
                return new String(d, off, n, java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
        return WireStrings.decode(d, off, n);
    }

    private void remember(String sender, int keyId, SecretKeySpec key) {
        try {
            senderCiphers.put(sender, new SenderCipher(keyId, key, newCipher()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM missing from this JDK", e);
        }
    }

    /** Senders with a cipher of their own now (tests). */
    int sendersWithCiphers() {
        return senderCiphers.size();
    }

    private Opened drop(DropReason reason) {
        counters.dropped(reason);
        return null;
    }
}
