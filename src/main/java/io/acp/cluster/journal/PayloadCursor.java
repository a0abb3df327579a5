package io.acp.cluster.journal;

import java.nio.charset.StandardCharsets;

/**
 * A read position over one checksummed journal payload, shared by the object entry and the spec
 * codecs. Every read is bounds-checked against the payload's end, so a damaged payload fails with
 * an {@link IllegalArgumentException} naming what was being read instead of reading past it: the
 * CRC catches torn writes, but a record written by a bug must still not crash the reload.
 */
final class PayloadCursor {
    private final byte[] bytes;
    private final int end;
    private final String what;
    private int at;

    /** {@code what} names the payload in errors: "object entry", "spec". */
    PayloadCursor(byte[] bytes, int at, int end, String what) {
        this.bytes = bytes;
        this.at = at;
        this.end = end;
        this.what = what;
    }

    /** The same bytes from here to the end, read as something else (a spec inside an entry). */
    PayloadCursor rest(String what) {
        return new PayloadCursor(bytes, at, end, what);
    }

    int remaining() {
        return end - at;
    }

    /** Fails unless {@code n} more bytes are there; a negative {@code n} (a damaged length) fails too. */
    void need(int n, String field) {
        if (n < 0 || end - at < n) {
            throw new IllegalArgumentException(what + " cut short in its " + field);
        }
    }

    int u8(String field) {
        need(1, field);
        return bytes[at++] & 0xFF;
    }

    int i32(String field) {
        need(4, field);
        int v = ((bytes[at] & 0xFF) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
        at += 4;
        return v;
    }

    long i64(String field) {
        long hi = i32(field) & 0xFFFFFFFFL;
        return (hi << 32) | (i32(field) & 0xFFFFFFFFL);
    }

    /** A UTF-8 string after a 2-byte length (names: type, id, node). */
    String string16(String field) {
        need(2, field);
        int n = ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
        at += 2;
        return utf8(n, field);
    }

    /** A UTF-8 string after a 4-byte length (values inside a spec). */
    String string32(String field) {
        return utf8(i32(field), field);
    }

    private String utf8(int n, String field) {
        need(n, field);
        String s = new String(bytes, at, n, StandardCharsets.UTF_8);
        at += n;
        return s;
    }
}
