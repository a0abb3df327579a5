package io.acp.cluster.journal;

import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The writer of format version 1 (the code before the binary envelope), kept to make old files:
 * header "ACPJ" and version 1, then per entry its JSON's length, the CRC32C of the JSON, the JSON.
 */
final class LegacyWriter {

    private LegacyWriter() {
    }

    static byte[] file(List<ObjectEntry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(RecordFormat.fileHeader(LegacyRecords.VERSION).array());
        for (ObjectEntry e : entries) {
            byte[] json = Json.MAPPER.writeValueAsBytes(EntryJson.toJson(e));
            CRC32C crc = new CRC32C();
            crc.update(json);
            out.write(ByteBuffer.allocate(8).putInt(json.length).putInt((int) crc.getValue()).array());
            out.write(json);
        }
        return out.toByteArray();
    }
}
