package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Reports;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dir pools on real files: the default pool, volumes created, grown and deleted, and every refusal. */
class DirPoolTest {

    @TempDir
    Path dir;
    StorageNode node;
    Path root;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(dir.resolve("roots"));
        node = StorageNode.start(dir);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void theDefaultPoolIsCreatedUnderTheDataDirAndReported() {
        Path expected = dir.resolve("data/pools/default");
        assertThat(expected).isDirectory();
        JsonNode meta = node.meta("default");
        assertThat(meta.path("state").asText()).isEqualTo("ok");
        assertThat(meta.path("kind").asText()).isEqualTo("dir");
        assertThat(meta.path("path").asText()).isEqualTo(expected.toString());
        assertThat(node.stats("default")).containsKeys("capacity", "allocation", "free", "usedPercent");
        assertThat(node.stats("default").get("capacity")).isPositive();
    }

    @Test
    void rawAndQcow2VolumesAreCreatedGrownAndDeleted() throws Exception {
        Storage s = node.storage();
        await(s.createPool("images", spec("{\"kind\":\"dir\",\"path\":\"" + root.resolve("images") + "\"}")));
        JsonNode raw = await(s.createVolume("images", "disk1", "8M", "raw"));
        Path rawFile = root.resolve("images/disk1");
        assertThat(raw.path("path").asText()).isEqualTo(rawFile.toString());
        assertThat(Files.size(rawFile)).isEqualTo(8L << 20);

        JsonNode qcow = await(s.createVolume("images", "disk2", "1G", "qcow2"));
        assertThat(qcow.path("format").asText()).isEqualTo("qcow2");
        assertThat(qcow.path("capacity").asLong()).isEqualTo(1L << 30);
        assertThat(virtualSize(root.resolve("images/disk2"))).isEqualTo(1L << 30);

        await(s.resizeVolume("images", "disk1", "16M"));
        assertThat(Files.size(rawFile)).isEqualTo(16L << 20);
        await(s.resizeVolume("images", "disk2", "2G"));
        assertThat(virtualSize(root.resolve("images/disk2"))).isEqualTo(2L << 30);

        JsonNode shown = await(s.show("images"));
        assertThat(shown.path("volumes")).extracting(v -> v.path("name").asText()).containsExactly("disk1", "disk2");
        assertThat(node.stats("images").get("volumes")).isEqualTo(2.0);

        await(s.deleteVolume("images", "disk1"));
        assertThat(rawFile).doesNotExist();
        assertThatThrownBy(() -> await(s.deleteVolume("images", "disk1")))
                .isInstanceOf(AcpException.class).hasMessage("volume disk1 in pool images on node n1 not found");
    }

    @Test
    void refusalsNameWhatIsWrong() {
        Storage s = node.storage();
        await(s.createPool("p1", spec("{\"kind\":\"dir\",\"path\":\"" + root.resolve("p1") + "\"}")));
        await(s.createVolume("p1", "v", "1M", "raw"));

        assertCode(() -> await(s.createVolume("nope", "v", "1M", null)), ErrorCode.NOT_FOUND, "pool nope not found");
        assertCode(() -> await(s.createVolume("p1", "v", "1M", "raw")), ErrorCode.CONFLICT, "volume v exists in pool p1 on node n1");
        assertCode(() -> await(s.createVolume("p1", "w", "ten", "raw")), ErrorCode.BAD_REQUEST, "volume size must be a size such as");
        assertCode(() -> await(s.createVolume("p1", "w", "0", "raw")), ErrorCode.BAD_REQUEST, "must be more than 0");
        assertCode(() -> await(s.createVolume("p1", "../x", "1M", "raw")), ErrorCode.BAD_REQUEST, "volume name must be");
        assertCode(() -> await(s.createVolume("p1", "w", "1000T", "raw")), ErrorCode.CONFLICT, "out of space: pool p1 on node n1 has");
        assertCode(() -> await(s.resizeVolume("p1", "v", "512K")), ErrorCode.BAD_REQUEST, "shrinking to 512.0 KiB would lose data");
        assertCode(() -> await(s.createPool("etc", spec("{\"kind\":\"dir\",\"path\":\"/etc/acp-pool\"}"))), ErrorCode.BAD_REQUEST,
                "pool etc: path /etc/acp-pool (leads to /etc/acp-pool) is outside the allowed roots");
        assertCode(() -> await(s.createPool("bad", spec("{\"kind\":\"zfs\"}"))), ErrorCode.BAD_REQUEST, "pool bad: field 'kind' must be one of");
        assertCode(() -> await(s.createPool("p1", spec("{\"kind\":\"dir\"}"))), ErrorCode.CONFLICT, "storage p1 exists (pool) with another spec");
        assertCode(() -> await(s.deletePool("p1")), ErrorCode.CONFLICT, "pool p1 on node n1 has 1 volume(s) (v); delete them first");
        assertThat(Path.of("/etc/acp-pool")).doesNotExist();
    }

    @Test
    void anEmptyPoolIsDeletedWithTheDirectoryAcpMadeForIt() {
        Storage s = node.storage();
        await(s.createPool("mine", spec("{\"kind\":\"dir\"}")));
        Path poolDir = dir.resolve("data/pools/mine");
        assertThat(poolDir).isDirectory();
        await(s.deletePool("mine"));
        assertThat(poolDir).doesNotExist();
        assertThat(node.cdb.object(Reports.key("mine"))).isEmpty();
        assertCode(() -> await(s.deletePool("mine")), ErrorCode.NOT_FOUND, "pool mine not found");
    }

    @Test
    void aPoolDeletedThroughAnotherNodeIsForgottenHere() {
        Storage s = node.storage();
        await(s.createPool("shared", spec("{\"kind\":\"dir\"}")));
        Path poolDir = dir.resolve("data/pools/shared");
        assertThat(poolDir).isDirectory();
        await(node.cdb.deleteObject(Reports.key("shared"))); // as a delete merged from another node would
        await(s.reconcile());
        assertThat(poolDir).doesNotExist();
        DirPoolTest.assertCode(() -> await(s.createVolume("shared", "v", "1M", "raw")), ErrorCode.NOT_FOUND, "pool shared not found");
    }

    private static long virtualSize(Path qcow2) throws Exception {
        try (InputStream in = Files.newInputStream(qcow2)) {
            byte[] head = in.readNBytes(32);
            return ByteBuffer.wrap(head, 24, 8).getLong();
        }
    }

    static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AcpException.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
