package io.acp.hypervisor;

import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * This node's migration records on its own disk, one file per system
 * ({@code <data-dir>/hypervisor/migrations/<id>.json}, written whole and fsynced, then renamed), so
 * that they outlive a crash: meta lives in memory and goes with the process. Without a directory
 * (nodes in a test JVM) they live in memory only.
 */
final class MigrationRecords {

    private static final Logger LOG = Logger.getLogger(MigrationRecords.class);

    private final Path dir;

    /** @param dir where the records live; null: nowhere (memory only) */
    MigrationRecords(Path dir) {
        this.dir = dir;
    }

    /** Writes the record of {@code id} durably (null: removes it); STORAGE_FAILED names the file when the disk refuses. */
    void write(String id, MigrationStep step) {
        if (dir == null) {
            return;
        }
        Path file = dir.resolve(id + ".json");
        try {
            if (step == null) {
                Files.deleteIfExists(file);
            } else {
                Files.createDirectories(dir);
                Path tmp = dir.resolve(id + ".json.tmp");
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(java.nio.ByteBuffer.wrap(step.toJson().toString().getBytes(StandardCharsets.UTF_8)));
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename or delete itself survives a crash
            }
        } catch (IOException e) {
            throw new AcpException(ErrorCode.STORAGE_FAILED, "node could not record the migration step of system " + id + " in " + file + ": " + e.getMessage()
                    + "; the step was not taken", e);
        }
    }

    /** Every record on disk, by system id; an unreadable one is logged and left for an operator. */
    Map<String, MigrationStep> load() {
        Map<String, MigrationStep> out = new LinkedHashMap<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".json"))::iterator) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                try {
                    MigrationStep.of(Json.object().set("migration", Json.MAPPER.readTree(Files.readString(f))))
                            .ifPresentOrElse(m -> out.put(id, m), () -> LOG.errorf("migration record %s is not one: left alone", f));
                } catch (IOException e) {
                    LOG.errorf("migration record %s cannot be read, left alone: %s", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.errorf("migration records in %s cannot be listed: %s", dir, e.getMessage());
        }
        return out;
    }
}
