package io.acp.cluster.journal;

import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Format version 1, read only to migrate it: records of length (u32), CRC32C of the payload alone
 * (u32) and a payload that is the whole entry as JSON ({@link EntryJson}). No type byte, no end marker.
 */
final class LegacyRecords {

    static final int VERSION = 1;

    private LegacyRecords() {
    }

    static int crc(byte[] buffer, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer, offset, length);
        return (int) crc.getValue();
    }

    /** Parses a payload that passed its checksum; throws {@link IllegalArgumentException} if it is no object entry. */
    static ObjectEntry decode(byte[] buffer, int offset, int length) {
        try {
            if (!(EntryJson.fromJson(Json.MAPPER.readTree(buffer, offset, length)) instanceof ObjectEntry entry)) {
                throw new IllegalArgumentException("record is not an object entry");
            }
            return entry;
        } catch (IOException e) {
            throw new IllegalArgumentException("unparsable JSON: " + e.getMessage(), e);
        }
    }
}
