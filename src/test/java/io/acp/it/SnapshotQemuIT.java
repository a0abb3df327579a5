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
 * bytes back; reverting to the running snapshot brings the guest back running. Backups of a running
 * guest: a full one, then bytes written through the running VMM (qemu's own block layer, so the
 * dirty bitmap sees them), then an incremental one much smaller than the full; a restore of the
 * incremental as a new system rebuilds the chain, starts it, and its disk holds the bytes written
 * before the incremental.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SnapshotQemuIT {

    private static final String URI = "qemu:///system";
    private static final Duration CLI_LIMIT = Duration.ofSeconds(90);
    private static final String ID = "acp-snap-it-" + ProcessHandle.current().pid();
    private static final String LIVE = "acp-bk-it-" + ProcessHandle.current().pid();
    private static final String COPY = LIVE + "-r";

    @TempDir
    static Path dir;

    static NodeProcess node;
    static Path disk;
    static Path small;

    @BeforeAll
    static void startNode() throws Exception {
        Run probe = run("virsh", "-c", URI, "version");
        assertThat(probe.exit()).as("libvirtd must answer on %s (scripts/libvirtd-up starts it): %s", URI, probe.output()).isZero();
        disk = dir.resolve("disk.qcow2");
        assertThat(run("qemu-img", "create", "-f", "qcow2", disk.toString(), "16M").exit()).isZero();
        node = NodeProcess.start("snap1", java.nio.file.Files.createDirectories(dir.resolve("node")), List.of(), List.of("-Dacp.hypervisor.uri=" + URI,
                "-Dacp.hypervisor.reconcile-interval=2s", "-Dacp.hypervisor.allowed-device-paths=" + dir, "-Dacp.storage.allowed-roots=" + dir,
                "-Dacp.storage.lvm.activation=false"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            for (String id : List.of(ID, LIVE, COPY)) {
                run("virsh", "-c", URI, "destroy", id);
                for (String checkpoint : run("virsh", "-c", URI, "checkpoint-list", id, "--name").output().lines().filter(l -> !l.isBlank()).toList()) {
                    run("virsh", "-c", URI, "checkpoint-delete", id, checkpoint.strip(), "--metadata");
                }
                run("virsh", "-c", URI, "undefine", id, "--snapshots-metadata");
            }
            if (small != null) {
                io.acp.testing.SmallDisk.unmount(small);
            }
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
        assertThat(live.stdout()).startsWith("snapshot of system " + ID + " on snap1: live (no parent, with memory, taken running at ")
                .as("no guest agent answers in a guest without an operating system").endsWith(", crash-consistent)");
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
        assertThat(table.out().get(0)).matches("NAME +PARENT +MEMORY +TAKEN +CREATED +CONSISTENCY");
        assertThat(table.out()).anySatisfy(l -> assertThat(l).matches("cold +live +no +stopped +\\S+ +powered-off"));

        acp("system", "snapshot", "delete", ID, "cold");
        assertThat(run("qemu-img", "snapshot", "-l", "-U", disk.toString()).output()).doesNotContain("cold");
        acp("system", "delete", ID, "--force");
        assertThat(run("virsh", "-c", URI, "domstate", ID).exit()).as("the domain is gone").isNotZero();
    }

    @Test
    void aRunningGuestIsBackedUpInFullThenIncrementallyAndTheRestoreHoldsTheLaterBytes() throws Exception {
        Path data = dir.resolve(LIVE + "-data.qcow2");
        assertThat(run("qemu-img", "create", "-f", "qcow2", data.toString(), "32M").exit()).isZero();
        assertThat(run("qemu-io", "-f", "qcow2", "-c", "write -P 0x41 0 4M", data.toString()).exit()).isZero();
        Path vault = java.nio.file.Files.createDirectories(dir.resolve("vault"));
        acp("storage", "pool", "create", "vault", "--kind", "dir", "--path", vault.toString());
        // mounted before the guest starts: its qemu runs in libvirt's mount namespace, made at start
        small = java.nio.file.Files.createDirectories(dir.resolve("small"));
        io.acp.testing.SmallDisk.mount(small, "6m");
        acp("storage", "pool", "create", "small", "--kind", "dir", "--path", small.toString());
        acp("system", "create", LIVE, "--start", "--vcpus", "1", "--memory", "64", "--spec",
                "{\"disks\": [{\"path\": \"" + data + "\", \"format\": \"qcow2\"}]}");

        JsonNode full = acp("system", "backup", LIVE, "--to", "vault", "--json").json();
        assertThat(full.path("kind").asText()).isEqualTo("full");
        assertThat(run("virsh", "-c", URI, "domstate", LIVE).output()).as("backed up while it runs").isEqualTo("running");

        // the disk's block backend inside the running VMM (virtio-disk0 is its PCI proxy); qemu-io prints to qemu's stdout, not here
        Run written = run("virsh", "-c", URI, "qemu-monitor-command", LIVE, "--hmp",
                "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x42 8M 64k\"");
        assertThat(written.exit()).as("a write through the running VMM: %s", written.output()).isZero();
        assertThat(written.output()).doesNotContain("Error");
        Thread.sleep(1100); // backups are named to the second

        CliResult second = acp("system", "backup", LIVE, "--to", "vault");
        String backup = second.stdout().replaceFirst("^backup (\\S+) .*", "$1");
        assertThat(second.stdout()).contains(" of system " + LIVE + " in pool vault: incremental on " + full.path("backup").asText() + ", taken running, 1 disk(s), ");
        long fullBytes = full.path("disks").get(0).path("bytes").asLong();
        long incrementalBytes = java.nio.file.Files.size(vault.resolve(".acp-backups").resolve(backup).resolve("disk-vda.qcow2"));
        assertThat(incrementalBytes).as("the incremental holds the changed clusters only (full: %d bytes)", fullBytes).isLessThan(fullBytes / 4);

        CliResult restored = acp("system", "restore", LIVE, backup, "--from", "vault", "--as", COPY);
        assertThat(restored.stdout()).isEqualTo("restored system " + COPY + " from backup " + backup + ": running on snap1");
        assertThat(run("virsh", "-c", URI, "domstate", COPY).output()).isEqualTo("running");
        Path copy = dir.resolve(COPY + "-data.qcow2");
        Run read = run("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0x41 0 4M", "-c", "read -P 0x42 8M 64k", copy.toString());
        assertThat(read.output()).as("the full backup's bytes and those written before the incremental")
                .contains("read 65536/65536 bytes").doesNotContain("Pattern verification failed");

        // a pool too small for the next incremental: libvirt's job fails half-way, and nothing is left that looks like a backup
        JsonNode first = acp("system", "backup", LIVE, "--to", "small", "--json").json();
        assertThat(first.path("kind").asText()).as("the first backup in this pool").isEqualTo("full");
        Run more = run("virsh", "-c", URI, "qemu-monitor-command", LIVE, "--hmp",
                "qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P 0x43 12M 3M\"");
        assertThat(more.output()).doesNotContain("Error");
        Thread.sleep(1100);
        CliResult refused = node.cli(dir, CLI_LIMIT, "system", "backup", LIVE, "--to", "small");
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
        assertThat(String.join("\n", refused.err())).contains("backup of running system " + LIVE + " to pool small on node snap1 failed: ")
                .contains("the partial backup was removed");
        try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(small.resolve(".acp-backups"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("only the complete full backup").containsExactly(first.path("backup").asText());
        }
        assertThat(run("virsh", "-c", URI, "checkpoint-list", LIVE, "--name").output().lines().filter(l -> !l.isBlank()).map(String::strip))
                .as("the failed backup's checkpoint is gone: next time, vault's newest and small's newest are still a base")
                .containsExactlyInAnyOrder("acp." + backup, "acp." + first.path("backup").asText());

        acp("system", "delete", COPY, "--force");
        acp("system", "delete", LIVE, "--force");
        assertThat(run("virsh", "-c", URI, "domstate", LIVE).exit()).as("the domain is gone, checkpoints and all").isNotZero();
    }
}
