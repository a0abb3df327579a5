package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on a real guest: the packaged node on {@code qemu:///system} (libvirtd as
 * scripts/libvirtd-up starts it; KVM where /dev/kvm exists) runs a tiny guest on a qcow2 disk. The
 * real CLI takes a snapshot while it runs (disks and memory), stops it, takes a disk snapshot, and
 * after the disk's content was overwritten from the host ({@code qemu-io}) a revert brings the old
 * bytes back; reverting to the running snapshot brings the guest back running.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SnapshotQemuIT {

    private static final String URI = "qemu:///system";
    private static final Duration CLI_LIMIT = Duration.ofSeconds(90);
    private static final String ID = "acp-snap-it-" + ProcessHandle.current().pid();

    @TempDir
    static Path dir;

    static NodeProcess node;
    static Path disk;

    @BeforeAll
    static void startNode() throws Exception {
        Run probe = run("virsh", "-c", URI, "version");
        assertThat(probe.exit()).as("libvirtd must answer on %s (scripts/libvirtd-up starts it): %s", URI, probe.output()).isZero();
        disk = dir.resolve("disk.qcow2");
        assertThat(run("qemu-img", "create", "-f", "qcow2", disk.toString(), "16M").exit()).isZero();
        node = NodeProcess.start("snap1", java.nio.file.Files.createDirectories(dir.resolve("node")), List.of(), List.of("-Dacp.hypervisor.uri=" + URI,
                "-Dacp.hypervisor.reconcile-interval=2s", "-Dacp.hypervisor.allowed-device-paths=" + dir));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            run("virsh", "-c", URI, "destroy", ID);
            run("virsh", "-c", URI, "undefine", ID, "--snapshots-metadata");
        }
    }

    record Run(int exit, String output) {
    }

    private static Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(cmd)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** Fills the first 64 KiB of the disk with {@code pattern}, from the host (the guest must be stopped). */
    private static void fill(int pattern) throws Exception {
        Run w = run("qemu-io", "-f", "qcow2", "-c", "write -P " + pattern + " 0 64k", disk.toString());
        assertThat(w.exit()).as("qemu-io write: %s", w.output()).isZero();
        assertThat(w.output()).contains("wrote 65536/65536 bytes");
    }

    /** Whether the first 64 KiB of the disk hold {@code pattern} throughout. */
    private static boolean holds(int pattern) throws Exception {
        Run r = run("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P " + pattern + " 0 64k", disk.toString());
        return r.exit() == 0 && r.output().contains("read 65536/65536 bytes") && !r.output().contains("Pattern verification failed");
    }

    private static CliResult acp(String... args) throws Exception {
        CliResult r = node.cli(dir, CLI_LIMIT, args);
        assertThat(r.exitCode()).as("acp %s: %s", String.join(" ", args), r).isZero();
        return r;
    }

    @Test
    void aRevertBringsBackTheDiskContentAndTheRunningGuest() throws Exception {
        fill(0x41);
        assertThat(holds(0x41)).isTrue();
        List<String> create = new ArrayList<>(List.of("system", "create", ID, "--start", "--vcpus", "1", "--memory", "64", "--spec",
                "{\"disks\": [{\"path\": \"" + disk + "\", \"format\": \"qcow2\"}]}"));
        acp(create.toArray(String[]::new));
        assertThat(run("virsh", "-c", URI, "domstate", ID).output()).isEqualTo("running");

        CliResult live = acp("system", "snapshot", "create", ID, "live", "--memory");
        assertThat(live.stdout()).startsWith("snapshot of system " + ID + " on snap1: live (no parent, with memory, taken running at ");
        acp("system", "stop", ID);
        CliResult cold = acp("system", "snapshot", "create", ID, "cold");
        assertThat(cold.stdout()).contains("cold (parent live, disks only, taken stopped at ");
        assertThat(run("qemu-img", "snapshot", "-l", disk.toString()).output()).as("internal snapshots inside the image").contains("live").contains("cold");

        fill(0x42);
        assertThat(holds(0x42)).isTrue();
        CliResult reverted = acp("system", "snapshot", "revert", ID, "cold");
        assertThat(reverted.stdout()).isEqualTo("reverted system " + ID + " to snapshot cold: stopped on snap1");
        assertThat(holds(0x41)).as("the revert brought back the bytes the disk held at snapshot cold").isTrue();
        assertThat(holds(0x42)).isFalse();

        CliResult running = acp("system", "snapshot", "revert", ID, "live");
        assertThat(running.stdout()).isEqualTo("reverted system " + ID + " to snapshot live: running on snap1");
        assertThat(run("virsh", "-c", URI, "domstate", ID).output()).as("the memory snapshot resumes the guest").isEqualTo("running");

        JsonNode list = acp("system", "snapshot", "list", ID, "--json").json();
        assertThat(list.path("snapshots").findValuesAsText("name")).containsExactly("live", "cold");
        assertThat(list.path("snapshots").get(1).path("parent").asText()).isEqualTo("live");
        CliResult table = acp("system", "snapshot", "list", ID);
        assertThat(table.out().get(0)).matches("NAME +PARENT +MEMORY +TAKEN +CREATED");
        assertThat(table.out()).anySatisfy(l -> assertThat(l).matches("cold +live +no +stopped +\\S+"));

        acp("system", "snapshot", "delete", ID, "cold");
        assertThat(run("qemu-img", "snapshot", "-l", "-U", disk.toString()).output()).doesNotContain("cold");
        acp("system", "delete", ID);
        assertThat(run("virsh", "-c", URI, "domstate", ID).exit()).as("the domain is gone").isNotZero();
    }
}
