package io.acp.cluster.journal;

import io.acp.model.ObjectEntry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * The {@code snapshot} file: every object and tombstone as of the last compaction. It is replaced
 * only whole: written to {@code snapshot.tmp}, synced, then renamed over the old one, so a crash
 * leaves either the old or the new snapshot, never a mix.
 */
final class SnapshotFile {

    static final String NAME = "snapshot";
    static final String TEMP_NAME = "snapshot.tmp";

    private SnapshotFile() {
    }

    /** The snapshot's entries (cut back to its valid prefix if damaged); empty if there is none. */
    static List<ObjectEntry> load(Path dir, boolean fsync) throws IOException {
        Path path = dir.resolve(NAME);
        if (!Files.exists(path)) {
            return List.of();
        }
        try (RecordFile file = RecordFile.open(path, fsync, 0)) {
            return file.load();
        }
    }

    /** Step 1 of a compaction: the new snapshot, complete and synced, beside the old one. */
    static void writeTemp(Path dir, List<byte[]> payloads, boolean fsync) throws IOException {
        Path temp = dir.resolve(TEMP_NAME);
        try (FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), RecordFormat.FILE_MODE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            out.write(RecordFormat.fileHeader().array());
            for (byte[] payload : payloads) {
                ByteBuffer record = RecordFormat.record(payload);
                out.write(record.array(), 0, record.limit());
            }
            out.flush();
            if (fsync) {
                channel.force(true);
            }
        } catch (IOException e) {
            discardTemp(dir);
            throw e;
        }
    }

    /** Step 2: atomically put the new snapshot in place and make the rename durable. */
    static void install(Path dir, boolean fsync) throws IOException {
        Files.move(dir.resolve(TEMP_NAME), dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            syncDirectory(dir);
        }
    }

    /** Removes a half-written snapshot left by a crash or a failed compaction, and half-migrated files. */
    static void discardTemp(Path dir) {
        for (String name : List.of(TEMP_NAME, NAME + RecordFile.MIGRATING_SUFFIX, Journal.JOURNAL_NAME + RecordFile.MIGRATING_SUFFIX)) {
            try {
                Files.deleteIfExists(dir.resolve(name));
            } catch (IOException ignored) {
                // A leftover temp file is harmless: the next compaction or migration truncates it.
            }
        }
    }

    /** Makes creations and renames in the directory durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
