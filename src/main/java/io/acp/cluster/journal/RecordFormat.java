package io.acp.cluster.journal;

import java.nio.ByteBuffer;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The on-disk envelope shared by the {@code snapshot} and {@code journal} files (format version 2):
 * <pre>
 * file   = header record* [end]
 * header = magic "ACPJ" (4 bytes), format version (u32) = 2
 * record = length (u32: bytes of type and payload, at least 1), CRC32C (u32) of the length, type and payload,
 *          type (u8), payload
 * end    = a length of 0, then nothing but zeros to the end of the file
 * </pre>
 * All integers are big-endian. A record is valid only if it is whole and its checksum matches, so a
 * write torn by a crash or a flipped bit is detected and everything from it on is discarded. The
 * active journal is preallocated with zeros ahead of its last record; a length of 0 where a record
 * would start is therefore its end, but only if every byte after it is zero too: anything else
 * there is damage, never silently skipped. The only record type so far is {@link #OBJECT_ENTRY}
 * ({@link ObjectEntryCodec}).
 *
 * <p>Version 1 ({@link LegacyRecords}) had the same length and checksum (of the payload only) and a
 * JSON payload per record; such a file is read and rewritten in this format once, when opened.
 */
final class RecordFormat {

    static final int MAGIC = 0x4143504A; // "ACPJ"
    static final int VERSION = 2;
    static final int HEADER_BYTES = 8;
    /** Length and checksum; the type byte follows and is counted in the length. */
    static final int RECORD_HEADER_BYTES = 8;
    /** Larger lengths can only come from corruption (an object spec is far smaller). */
    static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
    /** Record type: one object or tombstone. */
    static final byte OBJECT_ENTRY = 1;

    /** Objects may hold secrets of their owners: only the node (root) reads its journal. */
    static final FileAttribute<Set<PosixFilePermission>> FILE_MODE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    static final FileAttribute<Set<PosixFilePermission>> DIR_MODE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private RecordFormat() {
    }

    static ByteBuffer fileHeader() {
        return fileHeader(VERSION);
    }

    static ByteBuffer fileHeader(int version) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putInt(MAGIC).putInt(version).flip();
        return b;
    }

    /**
     * The payload of an object-entry record; throws {@link IllegalArgumentException} if the entry
     * cannot be written or exceeds the cap.
     */
    static byte[] payload(io.acp.model.ObjectEntry entry) {
        byte[] payload = ObjectEntryCodec.encode(entry);
        if (payload.length + 1 > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("object " + entry.key() + " is " + payload.length
                    + " bytes as a journal record, over the journal's limit of " + MAX_PAYLOAD_BYTES + " bytes");
        }
        return payload;
    }

    /** A whole object-entry record around a payload, ready to write. */
    static ByteBuffer record(byte[] payload) {
        return record(OBJECT_ENTRY, payload);
    }

    static ByteBuffer record(byte type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER_BYTES + 1 + payload.length);
        int length = 1 + payload.length;
        b.putInt(length).putInt(0).put(type).put(payload);
        b.putInt(4, crc(b.array(), 0, length));
        b.flip();
        return b;
    }

    /**
     * The checksum of the record whose 4-byte length field starts at {@code at} in {@code buffer}:
     * over the length field itself (a flipped bit there must not pass as a shorter record), then
     * the {@code length} bytes after the checksum field.
     */
    static int crc(byte[] buffer, int at, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer, at, 4);
        crc.update(buffer, at + RECORD_HEADER_BYTES, length);
        return (int) crc.getValue();
    }
}
