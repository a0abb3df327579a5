package io.acp.cluster.sync.origin;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DELTA and ENTRIES bodies: a sequence of sealed entries, each the {@link EntryCodec} form of the
 * entry (length-prefixed, exactly the bytes the author hashed) followed by its {@link Seal}.
 */
public final class SealedCodec {

    private SealedCodec() {
    }

    public static byte[] encode(SealedEntry s) {
        ByteBuffer b = ByteBuffer.allocate(s.length());
        b.put(s.encoded());
        s.seal().writeTo(b);
        return b.array();
    }

    /** @throws IllegalArgumentException if the body is cut short or inconsistent */
    public static List<SealedEntry> decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        List<SealedEntry> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            Entry e = EntryCodec.decodeOne(b);
            byte[] encoded = Arrays.copyOfRange(body, start, b.position());
            out.add(new SealedEntry(e, encoded, Seal.readFrom(b)));
        }
        return out;
    }

    /**
     * Packs sealed entries into bodies of at most {@code maxBody} bytes (an entry larger than that
     * goes alone), stopping before {@code maxTotal} bytes in all (at least one entry goes).
     */
    public static List<byte[]> pack(List<SealedEntry> entries, int maxBody, int maxTotal) {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxBody, 1 << 16));
        int total = 0;
        for (SealedEntry s : entries) {
            byte[] one = encode(s);
            if (total + one.length > maxTotal && total > 0) {
                break;
            }
            if (body.size() > 0 && body.size() + one.length > maxBody) {
                out.add(body.toByteArray());
                body.reset();
            }
            body.writeBytes(one);
            total += one.length;
        }
        if (body.size() > 0) {
            out.add(body.toByteArray());
        }
        return out;
    }
}
