package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Reports;
import io.acp.storage.share.ShareSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shares with the real mount(8). This kernel has no NFS (nor CIFS) client, so a real NFS mount
 * cannot succeed here: the failing mount is tested as it is, and the mounted path with a tmpfs
 * put at the share's mount point (which ACP adopts like any mount found there).
 */
class ShareTest {

    @TempDir
    Path dir;
    StorageNode node;
    Path mountPoint;

    @BeforeEach
    void start() {
        node = StorageNode.start(dir);
        mountPoint = dir.resolve("shares/s1");
    }

    @AfterEach
    void stop() {
        Mounts.quietly("umount", "-l", mountPoint.toString());
        node.close();
    }

    @Test
    void aShareThatCannotBeMountedIsRefusedAndLeavesNothing() {
        Storage s = node.storage();
        DirPoolTest.assertCode(() -> await(s.addShare("s1", spec("{\"protocol\":\"nfs\",\"source\":\"127.0.0.1:/export\",\"options\":\"vers=4.2,retry=0\"}"))),
                ErrorCode.UNAVAILABLE, "cannot mount nfs share s1 (127.0.0.1:/export) at " + mountPoint + " on node n1: mount");
        assertThat(node.cdb.object(Reports.key("s1"))).isEmpty();
        assertThat(mountPoint).doesNotExist();
        DirPoolTest.assertCode(() -> await(s.addShare("s2", spec("{\"protocol\":\"nfs\",\"source\":\"no-export\"}"))), ErrorCode.BAD_REQUEST,
                "share s2: field 'source' must be host:/export");
        DirPoolTest.assertCode(() -> await(s.addShare("s3", spec("{\"protocol\":\"ftp\",\"source\":\"x:/y\"}"))), ErrorCode.BAD_REQUEST,
                "share s3: field 'protocol' must be nfs or smb");
        DirPoolTest.assertCode(() -> await(s.addShare("s4", spec("{\"protocol\":\"nfs\",\"source\":\"-oremount:/\"}"))), ErrorCode.BAD_REQUEST,
                "share s4: field 'source' must be host:/export");
        DirPoolTest.assertCode(() -> await(s.addShare("s5", spec("{\"protocol\":\"smb\",\"source\":\"//filer/vm\",\"options\":\"username=a,password=b\"}"))),
                ErrorCode.BAD_REQUEST, "share s5: put the password in a credentials file");
        assertThat(ShareSpec.parse("s6", spec("{\"protocol\":\"nfs\",\"source\":\"[fd00::5]:/export/vm\"}")).source()).isEqualTo("[fd00::5]:/export/vm");
        assertThat(node.cdb.object(Reports.key("s4"))).isEmpty();
    }

    @Test
    void aMountedShareCarriesAPoolAndItsLossIsReported() throws Exception {
        Files.createDirectories(mountPoint);
        Mounts.run("mount", "-t", "tmpfs", "-o", "size=4m", "acp-share", mountPoint.toString());
        Storage s = node.storage();
        await(s.addShare("s1", spec("{\"protocol\":\"nfs\",\"source\":\"127.0.0.1:/export\",\"options\":\"vers=4.2,retry=0\"}")));
        JsonNode meta = node.meta("s1");
        assertThat(meta.path("state").asText()).isEqualTo("mounted");
        assertThat(meta.path("path").asText()).isEqualTo(mountPoint.toString());
        assertThat(node.stats("s1").get("capacity")).isEqualTo(4.0 * 1024 * 1024);

        await(s.createPool("onshare", spec("{\"kind\":\"dir\",\"share\":\"s1\",\"subdir\":\"vm\"}")));
        assertThat(node.meta("onshare").path("path").asText()).isEqualTo(mountPoint.resolve("vm").toString());
        JsonNode v = await(s.createVolume("onshare", "d1", "1M", "raw"));
        assertThat(Path.of(v.path("path").asText())).hasParent(mountPoint.resolve("vm")).exists();
        DirPoolTest.assertCode(() -> await(s.removeShare("s1")), ErrorCode.CONFLICT, "share s1 is the source of pool(s) onshare; delete them first");

        // Unmounted behind ACP's back: the share says so at the next sample, and its pool is unavailable.
        Mounts.run("umount", mountPoint.toString());
        await(s.sample());
        assertThat(node.meta("s1").path("state").asText()).isEqualTo("unmounted");
        assertThat(node.meta("s1").path("problem").asText()).isEqualTo("share s1 is not mounted at " + mountPoint + " on node n1; the next reconcile mounts it");
        assertThat(node.meta("onshare").path("state").asText()).isEqualTo("unavailable");
        assertThat(node.meta("onshare").path("problem").asText()).isEqualTo("pool onshare on node n1: its share s1 is not mounted");

        // The reconcile tries to mount it again; with no NFS here that fails, and says how.
        await(s.reconcile());
        assertThat(node.meta("s1").path("state").asText()).isEqualTo("failed");
        assertThat(node.meta("s1").path("problem").asText()).startsWith("cannot mount nfs share s1 (127.0.0.1:/export)");
        await(s.sample());
        assertThat(node.meta("s1").path("state").asText()).as("a failure stays until a mount succeeds").isEqualTo("failed");

        await(s.deletePool("onshare"));
        await(s.removeShare("s1"));
        assertThat(node.cdb.object(Reports.key("s1"))).isEmpty();
    }
}
