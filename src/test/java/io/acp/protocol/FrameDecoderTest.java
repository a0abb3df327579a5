package io.acp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    /** Records what the decoder reports, in order. */
    private static final class Recorder implements FrameDecoder.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void frame(byte[] payload) {
            events.add("frame:" + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void oversized(long length) {
            events.add("oversized:" + length);
        }

        @Override
        public void empty() {
            events.add("empty");
        }
    }

    private static byte[] frame(String payload) {
        return Frames.frame(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] header(long length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    @Test
    void decodesAFrameSplitAtEveryPossibleBoundary() {
        byte[] stream = concat(frame("{\"id\":1}"), frame("{\"id\":22}"));
        for (int cut1 = 0; cut1 <= stream.length; cut1++) {
            for (int cut2 = cut1; cut2 <= stream.length; cut2++) {
                Recorder r = new Recorder();
                FrameDecoder d = new FrameDecoder(1024, r);
                d.feed(Arrays.copyOfRange(stream, 0, cut1));
                d.feed(Arrays.copyOfRange(stream, cut1, cut2));
                d.feed(Arrays.copyOfRange(stream, cut2, stream.length));

                assertThat(r.events).as("cuts at %d and %d", cut1, cut2).containsExactly("frame:{\"id\":1}", "frame:{\"id\":22}");
                assertThat(d.midFrame()).isFalse();
            }
        }
    }

    @Test
    void decodesByteByByte() {
        byte[] stream = concat(frame("a"), frame("bc"), frame("def"));
        Recorder r = new Recorder();
        FrameDecoder d = new FrameDecoder(1024, r);
        for (byte b : stream) {
            d.feed(new byte[] {b});
        }
        assertThat(r.events).containsExactly("frame:a", "frame:bc", "frame:def");
    }

    @Test
    void decodesManyFramesInOneChunk() {
        Recorder r = new Recorder();
        new FrameDecoder(1024, r).feed(concat(frame("one"), frame("two"), frame("three")));
        assertThat(r.events).containsExactly("frame:one", "frame:two", "frame:three");
    }

    @Test
    void reportsAPartialFrameAsMidFrame() {
        Recorder r = new Recorder();
        FrameDecoder d = new FrameDecoder(1024, r);
        byte[] f = frame("hello");
        d.feed(Arrays.copyOfRange(f, 0, 2));
        assertThat(d.midFrame()).isTrue();
        d.feed(Arrays.copyOfRange(f, 2, 6));
        assertThat(d.midFrame()).isTrue();
        assertThat(r.events).isEmpty();
        d.feed(Arrays.copyOfRange(f, 6, f.length));
        assertThat(r.events).containsExactly("frame:hello");
        assertThat(d.midFrame()).isFalse();
    }

    @Test
    void acceptsAFrameOfExactlyTheLimit() {
        Recorder r = new Recorder();
        new FrameDecoder(5, r).feed(frame("12345"));
        assertThat(r.events).containsExactly("frame:12345");
    }

    @Test
    void oversizedFrameIsReportedOnceAndSkippedEvenInPieces() {
        byte[] big = new byte[100];
        Arrays.fill(big, (byte) '{');
        byte[] stream = concat(Frames.frame(big), frame("next"));
        for (int chunk = 1; chunk <= stream.length; chunk++) {
            Recorder r = new Recorder();
            FrameDecoder d = new FrameDecoder(10, r);
            for (int pos = 0; pos < stream.length; pos += chunk) {
                d.feed(Arrays.copyOfRange(stream, pos, Math.min(stream.length, pos + chunk)));
            }
            assertThat(r.events).as("chunks of %d", chunk).containsExactly("oversized:100", "frame:next");
        }
    }

    @Test
    void fourGibLengthPrefixIsSkippedWithoutAllocating() {
        Recorder r = new Recorder();
        FrameDecoder d = new FrameDecoder(Frames.DEFAULT_MAX_REQUEST_BYTES, r);
        d.feed(header(0xFFFFFFFFL));
        assertThat(r.events).containsExactly("oversized:4294967295");
        assertThat(d.midFrame()).isTrue();

        // Skip all 4 GiB in 1 MiB chunks: only ever one chunk on the heap, the decoder keeps a count.
        byte[] chunk = new byte[1 << 20];
        long remaining = 0xFFFFFFFFL;
        while (remaining > 0) {
            int n = (int) Math.min(chunk.length, remaining);
            d.feed(n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
            remaining -= n;
        }
        assertThat(d.midFrame()).isFalse();
        d.feed(frame("after"));
        assertThat(r.events).containsExactly("oversized:4294967295", "frame:after");
    }

    @Test
    void emptyFrameIsReportedAndTheNextOneDecoded() {
        Recorder r = new Recorder();
        new FrameDecoder(1024, r).feed(concat(header(0), frame("x"), header(0)));
        assertThat(r.events).containsExactly("empty", "frame:x", "empty");
    }

    @Test
    void lengthPrefixIsUnsignedBigEndian() {
        assertThat(Frames.length(header(0x01020304L), 0)).isEqualTo(0x01020304L);
        assertThat(Frames.length(header(0xFFFFFFFFL), 0)).isEqualTo(4_294_967_295L);
        assertThat(Frames.frame(new byte[] {7})).containsExactly(0, 0, 0, 1, 7);
    }
}
