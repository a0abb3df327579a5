package io.acp.cluster.journal;

import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The on-disk format shared by the {@code snapshot} and {@code journal} files:
 * <pre>
 * file   = header record*
 * header = magic "ACPJ" (4 bytes), format version (u32)
 * record = payload length (u32), CRC32C of payload (u32), payload (UTF-8 JSON of EntryJson)
 * </pre>
 * All integers are big-endian. A record is valid only if it is whole and its checksum matches, so a
 * write torn by a crash or a flipped bit is detected and everything from it on is discarded.
 */
final class RecordFormat {

    static final int MAGIC = 0x4143504A; // "ACPJ"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 8;
    /** Larger lengths can only come from corruption (an object spec is far smaller). */
    static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

    /** Objects may hold secrets of their owners: only the node (root) reads its journal. */
    static final FileAttribute<Set<PosixFilePermission>> FILE_MODE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    static final FileAttribute<Set<PosixFilePermission>> DIR_MODE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private RecordFormat() {
    }

    static ByteBuffer fileHeader() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putInt(MAGIC).putInt(VERSION).flip();
        return b;
    }

    /** The JSON payload of an entry; throws {@link IllegalArgumentException} if it exceeds the cap. */
    static byte[] payload(ObjectEntry entry) {
        byte[] payload;
        try {
            payload = Json.MAPPER.writeValueAsBytes(EntryJson.toJson(entry));
        } catch (IOException e) {
            throw new IllegalArgumentException("object " + entry.key() + " cannot be written as JSON: " + e.getMessage(), e);
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("object " + entry.key() + " is " + payload.length
                    + " bytes as JSON, over the journal's limit of " + MAX_PAYLOAD_BYTES + " bytes");
        }
        return payload;
    }

    /** A whole record around a payload, ready to write. */
    static ByteBuffer record(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length);
        b.putInt(payload.length).putInt(crc(payload, payload.length)).put(payload).flip();
        return b;
    }

    static int crc(byte[] bytes, int length) {
        return crc(bytes, 0, length);
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** Parses a payload that passed its checksum; throws {@link IllegalArgumentException} if it is no object entry. */
    static ObjectEntry parse(byte[] payload, int length) {
        return parse(payload, 0, length);
    }

    static ObjectEntry parse(byte[] buffer, int offset, int length) {
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
