package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Reports;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A libvirt pool on real libvirt: its in-process test driver (test:///default), whose
 * {@code default-pool} (target /default-pool) holds volumes in memory. It cannot resize volumes,
 * so growing is tested only up to libvirt's refusal (the shrink check comes before it).
 */
class LibvirtPoolTest {

    @TempDir
    Path dir;
    StorageNode node;
    String volume = "acp-" + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);

    @BeforeEach
    void start() {
        node = StorageNode.start(dir);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void volumesAreCreatedGrownAndDeletedThroughLibvirt() {
        Storage s = node.storage();
        await(s.createPool("lv", spec("{\"kind\":\"libvirt\",\"name\":\"default-pool\"}")));
        JsonNode meta = node.meta("lv");
        assertThat(meta.path("state").asText()).isEqualTo("ok");
        assertThat(meta.path("kind").asText()).isEqualTo("libvirt");
        assertThat(meta.path("path").asText()).isEqualTo("/default-pool");
        assertThat(node.stats("lv").get("capacity")).isPositive();

        JsonNode v = await(s.createVolume("lv", volume, "64M", "raw"));
        assertThat(v.path("path").asText()).isEqualTo("/default-pool/" + volume);
        assertThat(v.path("capacity").asLong()).isEqualTo(64L << 20);
        assertThat(await(s.show("lv")).path("volumes")).anySatisfy(x -> assertThat(x.path("name").asText()).isEqualTo(volume));

        // The test driver cannot resize volumes: libvirt's own refusal is passed on, naming pool and node.
        DirPoolTest.assertCode(() -> await(s.resizeVolume("lv", volume, "128M")), ErrorCode.INTERNAL,
                "pool lv (libvirt pool default-pool) on node n1: this function is not supported by the connection driver: virStorageVolResize");
        DirPoolTest.assertCode(() -> await(s.resizeVolume("lv", volume, "1M")), ErrorCode.BAD_REQUEST, "would lose data");
        DirPoolTest.assertCode(() -> await(s.createVolume("lv", volume, "1M", "raw")), ErrorCode.CONFLICT, "volume " + volume + " exists in pool lv");
        DirPoolTest.assertCode(() -> await(s.createVolume("lv", "huge", "1000T", "raw")), ErrorCode.CONFLICT, "out of space: pool lv on node n1");

        await(s.deleteVolume("lv", volume));
        DirPoolTest.assertCode(() -> await(s.deleteVolume("lv", volume)), ErrorCode.NOT_FOUND, "volume " + volume + " in pool lv on node n1 not found");
    }

    @Test
    void anUnknownLibvirtPoolIsRefusedAndLeavesNoPool() {
        DirPoolTest.assertCode(() -> await(node.storage().createPool("nolv", spec("{\"kind\":\"libvirt\",\"name\":\"no-such-pool\"}"))),
                ErrorCode.UNAVAILABLE, "pool nolv: libvirt pool no-such-pool does not exist at test:///default on node n1");
        assertThat(node.cdb.object(Reports.key("nolv"))).isEmpty();
    }
}
