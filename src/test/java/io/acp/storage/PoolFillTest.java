package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Reports;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dir pool on a real 4 MiB tmpfs filling up: its stats follow and its meta turns nearFull, then full. */
class PoolFillTest {

    @TempDir
    Path dir;
    Path mount;
    StorageNode node;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = Files.createDirectories(dir.resolve("roots/small"));
        Mounts.run("mount", "-t", "tmpfs", "-o", "size=4m", "acp-test", mount.toString());
        node = StorageNode.start(dir, TestStorageConfig.in(dir).withThresholds(50, 98));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
        Mounts.run("umount", "-l", mount.toString());
    }

    @Test
    void fillingThePoolShowsInStatsAndMeta() throws Exception {
        Storage s = node.storage();
        Path poolDir = mount.resolve("pool");
        await(s.createPool("small", spec("{\"kind\":\"dir\",\"path\":\"" + poolDir + "\"}")));
        assertThat(node.meta("small").path("state").asText()).isEqualTo("ok");
        double capacity = node.stats("small").get("capacity");
        assertThat(capacity).isEqualTo(4.0 * 1024 * 1024);
        double usedBefore = node.stats("small").get("usedPercent");

        write(poolDir.resolve("filler1"), 2560 << 10);
        await(s.sample());
        JsonNode meta = node.meta("small");
        assertThat(meta.path("state").asText()).isEqualTo("nearFull");
        assertThat(meta.path("problem").asText()).startsWith("pool small on node n1 is ").contains("% used:").contains("free of 4.0 MiB");
        assertThat(node.stats("small").get("usedPercent")).isGreaterThan(usedBefore).isGreaterThanOrEqualTo(60.0);

        // A volume's full size must fit: 4 MiB does not any more.
        DirPoolTest.assertCode(() -> await(s.createVolume("small", "big", "4M", "raw")), ErrorCode.CONFLICT, "out of space: pool small on node n1");

        write(poolDir.resolve("filler2"), 8 << 20); // more than fits: stops at ENOSPC
        await(s.sample());
        meta = node.meta("small");
        assertThat(meta.path("state").asText()).isEqualTo("full");
        assertThat(meta.path("problem").asText()).startsWith("pool small on node n1 is full: ");
        assertThat(node.stats("small").get("free")).isLessThan(capacity * 0.02);

        Files.delete(poolDir.resolve("filler1"));
        Files.delete(poolDir.resolve("filler2"));
        await(s.sample());
        assertThat(node.meta("small").path("state").asText()).isEqualTo("ok");
        assertThat(node.meta("small").has("problem")).isFalse();
        // The history keeps what happened, for the monitor and charts.
        List<Double> used = node.cdb.statsHistory(Reports.key("small"), StorageNode.NODE).stream().map(e -> e.values().get("usedPercent")).toList();
        assertThat(used).anySatisfy(u -> assertThat(u).isGreaterThanOrEqualTo(98.0));
    }

    private static void write(Path file, int bytes) throws IOException {
        byte[] chunk = new byte[64 << 10];
        java.util.Arrays.fill(chunk, (byte) 1);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n = 0; n < bytes; n += chunk.length) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }
}
