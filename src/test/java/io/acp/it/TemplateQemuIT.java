package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Templates on a real guest: the packaged node on {@code qemu:///system} (libvirtd as
 * scripts/libvirtd-up starts it; KVM where /dev/kvm exists). Through the real CLI a stopped system
 * on a qcow2 volume becomes a template; a system made from it with a cloud-init user-data, an SSH
 * key and a host name runs in qemu on an overlay whose backing file is the template's read-only
 * volume, with the NoCloud seed (label cidata, the user-data as given) attached as a cdrom; the
 * template in use is not deleted, and goes once its system has.
 *
 * <p>The guest boots no operating system (as in QemuGuestIT and SnapshotQemuIT it is an empty disk),
 * so what is shown is what qemu is given, read back from the running domain and the files it opened.
 * Cloud-init running for real in a Debian guest made from a template is DebianGuestIT's first check.
 */
// A separate thread: the limit holds even where an interrupt does not reach; NodeHangReport then says what the node was doing.
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TemplateQemuIT {

    private static final String URI = "qemu:///system";
    private static final Duration CLI_LIMIT = Duration.ofSeconds(90);
    private static final String BASE = "acp-tplbase-it-" + ProcessHandle.current().pid();
    private static final String WEB = "acp-tplweb-it-" + ProcessHandle.current().pid();
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5Zm9yYWNwdGVtcGxhdGVzAAAAAAAAAA it@acp";

    @TempDir
    static Path dir;

    static NodeProcess node;

    @RegisterExtension
    static final NodeHangReport HANG_REPORT = new NodeHangReport(() -> node);

    @BeforeAll
    static void startNode() throws Exception {
        HostRun probe = run("virsh", "-c", URI, "version");
        assertThat(probe.exit()).as("libvirtd must answer on %s (scripts/libvirtd-up starts it): %s", URI, probe.output()).isZero();
        Files.createDirectories(dir.resolve("roots"));
        node = NodeProcess.start("tpl1", Files.createDirectories(dir.resolve("node")), List.of(), List.of("-Dacp.hypervisor.uri=" + URI,
                "-Dacp.hypervisor.reconcile-interval=2s",
                "-Dacp.storage.allowed-roots=" + dir.resolve("roots"), "-Dacp.storage.lvm.activation=false"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            for (String id : List.of(WEB, BASE)) {
                run("virsh", "-c", URI, "destroy", id);
                run("virsh", "-c", URI, "undefine", id);
            }
        }
    }

    private static HostRun run(String... cmd) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(60), cmd);
    }

    private static HostRun run(Duration limit, String... cmd) throws IOException, InterruptedException {
        return HostRun.of(limit, cmd);
    }

    private static CliResult acp(String... args) throws Exception {
        return node.cliOk(dir, CLI_LIMIT, args);
    }

    @Test
    void aGuestFromATemplateRunsOnAnOverlayWithItsCloudInitSeed() throws Exception {
        Path images = dir.resolve("roots/images");
        acp("storage", "pool", "create", "images", "--kind", "dir", "--path", images.toString());
        acp("storage", "volume", "create", "images", "base.qcow2", "--size", "16M", "--format", "qcow2");
        acp("system", "create", BASE, "--vcpus", "1", "--memory", "64", "--spec",
                "{\"disks\": [{\"pool\": \"images\", \"volume\": \"base.qcow2\", \"format\": \"qcow2\"}]}");

        CliResult made = acp("template", "create", "tpl", "--from", BASE);
        assertThat(made.stdout()).isEqualTo("template tpl of system " + BASE + " in pool images: 1 read-only volume(s)");
        Path baseVolume = images.resolve("template-tpl-vda.qcow2");

        Path userData = Files.writeString(dir.resolve("user-data.yaml"), "#cloud-config\nruncmd:\n  - echo acp-template-marker > /dev/ttyS0\n");
        Path key = Files.writeString(dir.resolve("id.pub"), KEY + "\n");
        acp("system", "create", WEB, "--template", "tpl", "--cloud-init", userData.toString(), "--ssh-key", key.toString(), "--hostname", "web-1",
                "--memory", "96", "--start");
        assertThat(run("virsh", "-c", URI, "domstate", WEB).output().strip()).isEqualTo("running");

        Path overlay = images.resolve(WEB + "-vda.qcow2");
        Path seed = images.resolve(WEB + "-seed.iso");
        String xml = run("virsh", "-c", URI, "dumpxml", WEB).output();
        assertThat(xml).contains("<source file='" + overlay + "'").contains("device='cdrom'").contains("<source file='" + seed + "'");
        assertThat(xml).as("qemu runs on the backing chain").contains(baseVolume.toString());
        assertThat(run("qemu-img", "info", "-U", overlay.toString()).output()).contains("backing file: " + baseVolume);
        assertThat(run("isoinfo", "-d", "-i", seed.toString()).output()).contains("Volume id: cidata");
        assertThat(run("isoinfo", "-R", "-i", seed.toString(), "-x", "/user-data").output()).isEqualTo(Files.readString(userData));
        assertThat(run("isoinfo", "-R", "-i", seed.toString(), "-x", "/meta-data").output()).contains("local-hostname: web-1").contains(KEY);

        CliResult inUse = node.cli(dir, CLI_LIMIT, "template", "delete", "tpl");
        assertThat(inUse.exitCode()).as("%s", inUse).isEqualTo(6);
        assertThat(inUse.err()).containsExactly("acp: conflict: rule template-in-use: template tpl is the base of system(s) " + WEB
                + "; delete them first (their disks are overlays on its volumes)");
        JsonNode shown = acp("template", "show", "tpl", "--json").json();
        assertThat(shown.path("usedBy").get(0).asText()).isEqualTo(WEB);

        acp("system", "stop", WEB);
        acp("system", "delete", WEB);
        assertThat(acp("template", "delete", "tpl").stdout()).isEqualTo("template tpl deleted; volumes removed: template-tpl-vda.qcow2");
        assertThat(baseVolume).doesNotExist();
    }
}
