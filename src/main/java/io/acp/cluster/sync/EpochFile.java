package io.acp.cluster.sync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * This node's sync epoch, persisted in the data dir and bumped at every start. Together with the
 * sequence number it forms the AEAD nonce, so it must never repeat: the new epoch is written and
 * fsynced before the first datagram is sent. It is also at least the wall clock in seconds, so a
 * node whose data dir was lost still starts above its old epochs.
 */
final class EpochFile {

    static final String NAME = "sync-epoch";

    private EpochFile() {
    }

    static long bump(Path dataDir, long nowSeconds) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(NAME);
        long previous = 0;
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                previous = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IOException("sync epoch file " + file + " holds '" + text + "', not a number; remove it to start from the clock");
            }
        }
        long epoch = Math.max(previous + 1, nowSeconds);
        if (epoch > 0xFFFF_FFFFL) {
            throw new IOException("sync epoch " + epoch + " in " + file + " no longer fits 32 bits");
        }
        Path tmp = dataDir.resolve(NAME + ".tmp");
        Files.writeString(tmp, Long.toString(epoch), StandardCharsets.US_ASCII);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return epoch;
    }
}
