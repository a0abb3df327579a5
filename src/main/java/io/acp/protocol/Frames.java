package io.acp.protocol;

/**
 * Framing shared by every byte-stream transport: a 4-byte big-endian unsigned length, then that
 * many bytes of UTF-8 JSON. See docs/protocol.md.
 */
public final class Frames {

    public static final int HEADER_BYTES = 4;
    /** Default limit for request frames a server accepts. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
    /** Limit for frames a client accepts from a server (large lists). */
    public static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

    private Frames() {
    }

    public static byte[] frame(byte[] payload) {
        byte[] out = new byte[HEADER_BYTES + payload.length];
        int n = payload.length;
        out[0] = (byte) (n >>> 24);
        out[1] = (byte) (n >>> 16);
        out[2] = (byte) (n >>> 8);
        out[3] = (byte) n;
        System.arraycopy(payload, 0, out, HEADER_BYTES, n);
        return out;
    }

    /** Reads the unsigned length prefix at {@code offset}. */
    public static long length(byte[] b, int offset) {
        return ((b[offset] & 0xFFL) << 24) | ((b[offset + 1] & 0xFFL) << 16) | ((b[offset + 2] & 0xFFL) << 8) | (b[offset + 3] & 0xFFL);
    }
}
