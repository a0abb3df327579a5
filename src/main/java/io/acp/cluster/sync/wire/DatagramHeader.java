package io.acp.cluster.sync.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The clear-text header of every sync datagram; all of it is AEAD associated data, so it cannot be
 * changed without the tag failing. Layout (big-endian):
 * <pre>
 *  0  magic "AS" (2)   2 version (1)   3 type (1)   4 key id (4)
 *  8  cluster id (8)
 * 16  epoch (4, unsigned)   20 sequence (8)
 * 28  message id (4)   32 fragment index (2)   34 fragment count (2)
 * 36  sender length n (1)   37 sender node id (n bytes, ASCII)
 * 37+n ciphertext, then the 16-byte GCM tag
 * </pre>
 * The GCM nonce is epoch ‖ sequence: unique for a sender because the sequence only grows within a
 * run and the epoch grows with every start; keys are per sender, so senders never share nonces.
 */
public record DatagramHeader(MessageType type, int keyId, long clusterId, String sender, long epoch, long sequence,
                             int messageId, int fragmentIndex, int fragmentCount) {

    public static final short MAGIC = 0x4153;
    public static final int VERSION = 3;
    public static final int FIXED_LENGTH = 37;
    public static final int TAG_LENGTH = 16;
    public static final int MAX_SENDER_LENGTH = 128;

    public DatagramHeader {
        if (sender.isEmpty() || sender.length() > MAX_SENDER_LENGTH) {
            throw new IllegalArgumentException("sender node id must be 1.." + MAX_SENDER_LENGTH + " characters: '" + sender + "'");
        }
        if (fragmentCount < 1 || fragmentCount > 0xFFFF || fragmentIndex < 0 || fragmentIndex >= fragmentCount) {
            throw new IllegalArgumentException("fragment " + fragmentIndex + " of " + fragmentCount + " is out of range");
        }
    }

    public int length() {
        return FIXED_LENGTH + sender.length();
    }

    public void writeTo(ByteBuffer b) {
        b.putShort(MAGIC);
        b.put((byte) VERSION);
        b.put((byte) type.code());
        b.putInt(keyId);
        b.putLong(clusterId);
        b.putInt((int) epoch);
        b.putLong(sequence);
        b.putInt(messageId);
        b.putShort((short) fragmentIndex);
        b.putShort((short) fragmentCount);
        b.put((byte) sender.length());
        b.put(sender.getBytes(StandardCharsets.US_ASCII));
    }

    /** The 12-byte GCM nonce: epoch ‖ sequence. */
    public byte[] nonce() {
        return ByteBuffer.allocate(12).putInt((int) epoch).putLong(sequence).array();
    }

    /**
     * Whether the first {@code length} bytes of {@code d} name {@code asciiNode} as their sender,
     * compared in place: no header and no string is made, for a check that runs per datagram
     * before anything else is read of it (e.g. telling a node's own looped-back multicast apart).
     */
    public static boolean sentBy(byte[] d, int length, byte[] asciiNode) {
        int n = asciiNode.length;
        return length >= FIXED_LENGTH + n && (d[FIXED_LENGTH - 1] & 0xFF) == n
                && Arrays.equals(d, FIXED_LENGTH, FIXED_LENGTH + n, asciiNode, 0, n);
    }

    /** Reads the fields every check before authentication needs; the type may be unknown (null). */
    public static DatagramHeader read(byte[] d) {
        return read(d, new String(d, FIXED_LENGTH, d[36] & 0xFF, StandardCharsets.US_ASCII));
    }

    /**
     * As {@link #read(byte[])}, with the sender's name as the caller already decoded it from these
     * bytes (the opener, which derived the key from that very string): no second string per datagram.
     */
    static DatagramHeader read(byte[] d, String sender) {
        MessageType type = MessageType.of(d[3] & 0xFF);
        int keyId = (int) INT.get(d, 4);
        long clusterId = (long) LONG.get(d, 8);
        long epoch = (int) INT.get(d, 16) & 0xFFFF_FFFFL;
        long sequence = (long) LONG.get(d, 20);
        int messageId = (int) INT.get(d, 28);
        int index = (short) SHORT.get(d, 32) & 0xFFFF;
        int count = (short) SHORT.get(d, 34) & 0xFFFF;
        return new DatagramHeader(type, keyId, clusterId, sender, epoch, sequence, messageId, index, count);
    }

    private static final java.lang.invoke.VarHandle SHORT = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(short[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle INT = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle LONG = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
}
