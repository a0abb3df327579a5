package io.acp.cluster.sync.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's datagram keys, derived from the cluster secret with HKDF-SHA256 (RFC 5869):
 * extract with the cluster id as salt, then expand one AES-256 key per sender node ("per-sender
 * subkey"), so two senders never encrypt under the same key and their nonces cannot collide.
 * Two slots allow rotation: datagrams are sent under the current secret and accepted under the
 * current or the previous one; the key id in the header says which.
 */
public final class ClusterKeys {

    /** Shortest secret accepted: 16 bytes of entropy is the floor for a shared AEAD secret. */
    public static final int MIN_SECRET_LENGTH = 16;

    private record Slot(int keyId, byte[] prk) {
    }

    /** The two slots, swapped together by {@link #use}. */
    private record Slots(Slot current, Slot previous) {
    }

    private final String clusterName;
    private final long clusterId;
    private volatile Slots slots;
    private final Map<String, SecretKeySpec> senderKeys = new ConcurrentHashMap<>();

    public ClusterKeys(String clusterName, String secret, Optional<String> previousSecret) {
        this.clusterName = clusterName;
        this.clusterId = clusterId(clusterName);
        use(secret, previousSecret);
    }

    /**
     * Replaces both slots at once, on a running node: datagrams are sent under {@code secret} from
     * now on and accepted under it or {@code previousSecret}. Rotation without downtime is three
     * such steps on every node (docs/security.md, "Origin authentication of sync").
     */
    public void use(String secret, Optional<String> previousSecret) {
        Slot current = slot(clusterName, secret);
        Slot previous = previousSecret.filter(s -> !s.isEmpty()).map(s -> slot(clusterName, s)).orElse(null);
        slots = new Slots(current, previous);
    }

    /** The 8-byte cluster id on the wire: the start of SHA-256 over the cluster's name. */
    public static long clusterId(String clusterName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("acp cluster " + clusterName).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h).getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    public long clusterId() {
        return clusterId;
    }

    public int currentKeyId() {
        return slots.current().keyId;
    }

    /** The key for {@code sender} under the current secret. */
    public SecretKeySpec sendKey(String sender) {
        return senderKey(slots.current(), sender);
    }

    /** The current key id and the key for {@code sender} under it, read together (a rotation may swap them). */
    public SendKey sendKeyOf(String sender) {
        Slot current = slots.current();
        return new SendKey(current.keyId, senderKey(current, sender));
    }

    public record SendKey(int keyId, SecretKeySpec key) {
    }

    /**
     * The key for a received datagram, or empty if its key id is none of ours. Keys derived here are
     * cached only once a datagram authenticates under them ({@link #confirm}), so forged sender ids
     * cannot grow the cache, and only so many (names made up by a holder of the secret do
     * authenticate).
     */
    public Optional<SecretKeySpec> receiveKey(int keyId, String sender) {
        Slots s = slots;
        Slot slot = keyId == s.current().keyId ? s.current() : s.previous() != null && keyId == s.previous().keyId ? s.previous() : null;
        if (slot == null) {
            return Optional.empty();
        }
        SecretKeySpec cached = senderKeys.get(slot.keyId + "/" + sender);
        return Optional.of(cached != null ? cached : derive(slot, sender));
    }

    /** Whether datagrams under {@code keyId} are accepted: the current secret's or the previous one's. */
    public boolean accepts(int keyId) {
        Slots s = slots;
        return keyId == s.current().keyId || s.previous() != null && keyId == s.previous().keyId;
    }

    /**
     * Keys of received senders cached at most. Any holder of the secret authenticates datagrams
     * under names it makes up; beyond this many, a key is derived again for each datagram instead
     * (the receiver's own per-sender ciphers, {@link DatagramOpener}, keep the recent ones anyway).
     */
    static final int MAX_CONFIRMED_KEYS = 4096;

    /** Remembers a key that just authenticated a datagram of {@code sender}, while fewer than {@link #MAX_CONFIRMED_KEYS} are. */
    public void confirm(int keyId, String sender, SecretKeySpec key) {
        if (senderKeys.size() < MAX_CONFIRMED_KEYS) {
            senderKeys.putIfAbsent(keyId + "/" + sender, key);
        }
    }

    /** Keys of senders cached now (tests). */
    int confirmedKeys() {
        return senderKeys.size();
    }

    private SecretKeySpec senderKey(Slot slot, String sender) {
        return senderKeys.computeIfAbsent(slot.keyId + "/" + sender, k -> derive(slot, sender));
    }

    private static SecretKeySpec derive(Slot slot, String sender) {
        return new SecretKeySpec(expand(slot.prk, "acp sync v1 sender " + sender, 32), "AES");
    }

    private static Slot slot(String clusterName, String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("cluster sync secret must be at least " + MIN_SECRET_LENGTH
                    + " characters (set acp.cluster.sync.secret; e.g. from `openssl rand -base64 32`)");
        }
        byte[] prk = hmac(("acp sync salt " + clusterName).getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
        int keyId = ByteBuffer.wrap(expand(prk, "acp sync v1 key id", 4)).getInt();
        return new Slot(keyId, prk);
    }

    /** HKDF-Expand for up to one hash length, which is all we need. */
    static byte[] expand(byte[] prk, String info, int length) {
        byte[] infoBytes = info.getBytes(StandardCharsets.UTF_8);
        byte[] input = Arrays.copyOf(infoBytes, infoBytes.length + 1);
        input[infoBytes.length] = 1;
        return Arrays.copyOf(hmac(prk, input), length);
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from this JDK", e);
        }
    }
}
