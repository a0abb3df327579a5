package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged node running the storage service (enabled by configuration) and the real CLI as
 * separate processes: pools and volumes on real files, the default pool and this machine's disks
 * listed, and each refusal with its exit code.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StorageIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception {
        Files.createDirectories(dir.resolve("roots"));
        node = NodeProcess.start("st1", dir, List.of(), List.of(
                "-Dacp.node.services=cluster,api,storage",
                "-Dacp.storage.allowed-roots=" + dir.resolve("roots"),
                "-Dacp.storage.mount-dir=" + dir.resolve("shares"),
                "-Dacp.storage.lvm.activation=false"));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static CliResult acp(String... args) throws Exception {
        return node.cli(dir, CLI_LIMIT, args);
    }

    @Test
    void poolsAndVolumesThroughTheCli() throws Exception {
        CliResult list = acp("storage", "list");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.out().get(0)).matches("ID +TYPE +STATE +KIND +SIZE +FREE +USED +PROBLEM");
        assertThat(list.out()).anySatisfy(l -> assertThat(l).matches("default +pool +ok +dir +.*"));
        assertThat(list.out()).anySatisfy(l -> assertThat(l).matches("st1:\\S+ +device +present +in use .*"));

        Path images = dir.resolve("roots/images");
        CliResult create = acp("storage", "pool", "create", "images", "--kind", "dir", "--path", images.toString());
        assertThat(create.exitCode()).as("%s", create).isZero();
        assertThat(create.out()).singleElement().asString().startsWith("pool images: ok at " + images + " (");

        CliResult volume = acp("storage", "volume", "create", "images", "web1", "--size", "8M", "--format", "raw");
        assertThat(volume.exitCode()).as("%s", volume).isZero();
        assertThat(volume.out()).containsExactly("volume web1 in pool images: 8.0 MiB raw at " + images.resolve("web1"));
        assertThat(Files.size(images.resolve("web1"))).isEqualTo(8L << 20);

        CliResult grow = acp("storage", "volume", "resize", "images", "web1", "--size", "16M");
        assertThat(grow.exitCode()).as("%s", grow).isZero();
        assertThat(Files.size(images.resolve("web1"))).isEqualTo(16L << 20);

        JsonNode show = acp("storage", "show", "images", "--json").json();
        assertThat(show.path("volumes").get(0).path("capacity").asLong()).isEqualTo(16L << 20);
        assertThat(show.path("meta").path("kind").asText()).isEqualTo("dir");

        // Other clients see the same through the CDB.
        JsonNode meta = acp("meta", "storage", "images", "--json").json();
        assertThat(meta.get(0).path("values").path("state").asText()).isEqualTo("ok");
        JsonNode stats = acp("stats", "storage", "images", "--json").json();
        assertThat(stats.get(0).path("values").path("capacity").asDouble()).isPositive();

        CliResult again = acp("storage", "volume", "create", "images", "web1", "--size", "8M");
        assertThat(again.exitCode()).as("%s", again).isEqualTo(6);
        assertThat(again.err()).containsExactly("acp: conflict: volume web1 exists in pool images on node st1");

        CliResult delete = acp("storage", "volume", "delete", "images", "web1");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.out()).containsExactly("deleted volume web1 in pool images");
        assertThat(images.resolve("web1")).doesNotExist();
    }

    @Test
    void mistakesGetTheirExitCodes() throws Exception {
        CliResult unknownPool = acp("storage", "volume", "create", "nope", "v", "--size", "1M");
        assertThat(unknownPool.exitCode()).as("%s", unknownPool).isEqualTo(3);
        assertThat(unknownPool.err()).containsExactly("acp: not_found: pool nope not found");

        CliResult badSize = acp("storage", "volume", "create", "default", "v", "--size", "big");
        assertThat(badSize.exitCode()).as("%s", badSize).isEqualTo(7);

        CliResult outside = acp("storage", "pool", "create", "etc", "--kind", "dir", "--path", "/etc/acp");
        assertThat(outside.exitCode()).as("%s", outside).isEqualTo(7);
        assertThat(outside.err()).singleElement().asString().contains("path /etc/acp (leads to /etc/acp) is outside the allowed roots");

        CliResult noSpace = acp("storage", "volume", "create", "default", "huge", "--size", "900T", "--format", "raw");
        assertThat(noSpace.exitCode()).as("%s", noSpace).isEqualTo(6);
        assertThat(noSpace.err()).singleElement().asString().startsWith("acp: conflict: out of space: pool default on node st1 has ");

        // This kernel has no NFS client: the mount fails, nothing is stored, the node says why.
        CliResult share = acp("storage", "share", "add", "nfs1", "--protocol", "nfs", "--source", "127.0.0.1:/export", "--options", "vers=4.2,retry=0");
        assertThat(share.exitCode()).as("%s", share).isEqualTo(5);
        assertThat(share.err()).singleElement().asString().startsWith("acp: unavailable: cannot mount nfs share nfs1 (127.0.0.1:/export)");
        assertThat(acp("get", "storage", "nfs1").exitCode()).isEqualTo(3);

        CliResult usage = acp("storage", "pool", "create", "p");
        assertThat(usage.exitCode()).isEqualTo(2);
    }
}
