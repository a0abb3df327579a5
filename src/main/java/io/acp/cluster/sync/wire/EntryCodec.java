package io.acp.cluster.sync.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Entry;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries in DELTA and ENTRIES bodies: each one a 4-byte length and the entry's JSON form
 * ({@link EntryJson}), so a body is packed entry by entry up to a datagram's size and decoding
 * needs no look-ahead. A body that does not parse throws {@link IllegalArgumentException}.
 */
public final class EntryCodec {

    private EntryCodec() {
    }

    /** One entry as it appears in a body: length prefix included. */
    public static byte[] encode(Entry e) {
        byte[] json = EntryJson.toJson(e).toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array();
    }

    public static List<Entry> decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        List<Entry> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new IllegalArgumentException("entry length cut off at byte " + b.position());
            }
            int n = b.getInt();
            if (n < 2 || n > b.remaining()) {
                throw new IllegalArgumentException("entry length " + n + " at byte " + (b.position() - 4) + " exceeds the " + b.remaining() + " bytes left");
            }
            try {
                JsonNode tree = Json.MAPPER.readTree(body, b.position(), n);
                out.add(EntryJson.fromJson(tree));
            } catch (IOException e) {
                throw new IllegalArgumentException("entry at byte " + b.position() + " is not valid JSON: " + e.getMessage());
            }
            b.position(b.position() + n);
        }
        return out;
    }
}
