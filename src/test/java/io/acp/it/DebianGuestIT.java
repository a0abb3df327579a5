package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Debian 12 guest (the image scripts/guest-image builds: systemd, cloud-init with the NoCloud
 * data source, qemu-guest-agent, the kernel's console on ttyS0) on {@code qemu:///system}, booted
 * once and used for every check in order, read and driven through ACP's own serial console path (the
 * WebAPI's {@code /api/console} WebSocket the web UI's xterm.js uses, {@link SerialConsole}).
 * <ol>
 * <li>A template made from the image; a system cloned from it with a cloud-init user-data that writes
 * a marker (with the host name the seed's meta-data set) to the serial port and logs root in on it.
 * <li>A snapshot of the running guest (with memory), taken while its guest agent answers: the agent
 * froze the file systems, the snapshot says application-consistent. A file written in the guest
 * after it (through the console) is gone after a revert, and the reverted guest's file systems take
 * writes again (thawed).
 * <li>With the agent stopped in the guest, the next snapshot is crash-consistent.
 * </ol>
 * Needs root and libvirtd on {@code qemu:///system} (scripts/libvirtd-up); run under
 * {@code flock /tmp/acp-qemu.lock}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class DebianGuestIT {

    private static final String URI = "qemu:///system";
    private static final Duration CLI_LIMIT = Duration.ofSeconds(120);
    private static final String BASE = "acp-deb-base-it-" + ProcessHandle.current().pid();
    private static final String GUEST = "acp-deb-it-" + ProcessHandle.current().pid();
    /** As TemplateQemuIT: KVM unless this machine's KVM is PVM, where a stock Debian kernel only runs emulated. */
    private static final String ACCELERATOR = Files.isDirectory(Path.of("/sys/module/kvm_pvm")) ? "tcg" : "auto";
    /** Boot to cloud-init's last stage: ~20 s on KVM, minutes under TCG on a busy machine; bounded above it. */
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(ACCELERATOR.equals("tcg") ? 300 : 90);
    /** One shell command in the guest (under TCG a loaded machine makes even `ls` take seconds). */
    private static final Duration SHELL_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static NodeProcess node;
    static int httpPort;
    static SerialConsole console;

    @BeforeAll
    static void startNode() throws Exception {
        Run probe = run(Duration.ofSeconds(60), "virsh", "-c", URI, "version");
        assertThat(probe.exit()).as("libvirtd must answer on %s (scripts/libvirtd-up starts it): %s", URI, probe.output()).isZero();
        Files.createDirectories(dir.resolve("roots"));
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        node = NodeProcess.start("deb1", Files.createDirectories(dir.resolve("node")), List.of(), List.of("-Dacp.hypervisor.uri=" + URI,
                "-Dacp.node.services=cluster,api,hypervisor,network,storage,monitor,agent,webapi", "-Dacp.webapi.port=" + httpPort,
                "-Dacp.hypervisor.reconcile-interval=2s", "-Dacp.hypervisor.accelerator=" + ACCELERATOR,
                "-Dacp.storage.allowed-roots=" + dir.resolve("roots"), "-Dacp.storage.lvm.activation=false"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (console != null) {
                console.close();
            }
            if (node != null) {
                node.close();
            }
        } finally {
            for (String id : List.of(GUEST, BASE)) {
                run(Duration.ofSeconds(60), "virsh", "-c", URI, "destroy", id);
                run(Duration.ofSeconds(60), "virsh", "-c", URI, "undefine", id, "--snapshots-metadata");
            }
        }
    }

    record Run(int exit, String output) {
    }

    private static Run run(Duration limit, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)).as("%s finished", List.of(cmd)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static CliResult acp(String... args) throws Exception {
        CliResult r = node.cli(dir, CLI_LIMIT, args);
        assertThat(r.exitCode()).as("acp %s: %s", String.join(" ", args), r).isZero();
        return r;
    }

    /**
     * A clone of a template made from the Debian image boots, and cloud-init in it reads the NoCloud
     * seed ACP attached and runs the user-data: a {@code runcmd} that writes a marker (with the host
     * name cloud-init set from the seed's meta-data) to the serial console, then logs root in there.
     */
    @Test
    @Order(1)
    void cloudInitInARealGuestRunsTheUserDataOfTheSeed() throws Exception {
        Run built = run(Duration.ofMinutes(30), "scripts/guest-image");
        assertThat(built.exit()).as("scripts/guest-image: %s", built.output()).isZero();
        Path image = Path.of(built.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        Path images = dir.resolve("roots/debian");
        acp("storage", "pool", "create", "debian", "--kind", "dir", "--path", images.toString());
        // The base system's disk: an overlay on the cached image (the template copies the overlay, not the whole image).
        Files.createDirectories(images);
        Run overlay = run(Duration.ofSeconds(60), "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image.toString(),
                images.resolve("debian.qcow2").toString());
        assertThat(overlay.exit()).as("%s", overlay.output()).isZero();
        acp("system", "create", BASE, "--vcpus", "1", "--memory", "512", "--spec",
                "{\"disks\": [{\"pool\": \"debian\", \"volume\": \"debian.qcow2\", \"format\": \"qcow2\"}]}");
        acp("template", "create", "debian12", "--from", BASE);

        String marker = "acp-cloudinit-marker-" + ProcessHandle.current().pid();
        // The marker, then root logged in on ttyS0 (agetty --autologin): the console is a root shell for the checks that follow.
        Path userData = Files.writeString(dir.resolve("user-data.yaml"), """
                #cloud-config
                write_files:
                  - path: /etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf
                    content: |
                      [Service]
                      ExecStart=
                      ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %I $TERM
                runcmd:
                  - echo "MARKER on $(hostname)" > /dev/ttyS0
                  - systemctl daemon-reload
                  - systemctl restart serial-getty@ttyS0.service
                """.replace("MARKER", marker));
        long t0 = System.nanoTime();
        acp("system", "create", GUEST, "--template", "debian12", "--cloud-init", userData.toString(), "--hostname", "ci-guest",
                "--memory", "512", "--start");
        console = SerialConsole.open(httpPort, node.adminKey(), GUEST);
        int at = console.await(marker + " on ", 0, BOOT_LIMIT);
        System.out.printf("DebianGuestIT: cloud-init's runcmd ran %d ms after acp system create --start (accelerator %s)%n",
                (System.nanoTime() - t0) / 1_000_000, ACCELERATOR);
        assertThat(at).as("the marker on the guest's serial console: %s", console.tail()).isNotNegative();
        assertThat(console.await(marker + " on ci-guest", at, Duration.ZERO)).as("with the host name of the seed").isEqualTo(at);
        assertThat(console.await("root@ci-guest", at, SHELL_LIMIT)).as("root's prompt on the console: %s", console.tail()).isNotNegative();
        assertThat(console.shell("id -un", SHELL_LIMIT).strip()).isEqualTo("root");
    }

    /**
     * A snapshot with memory while the guest agent answers (application-consistent: its file systems
     * were frozen while it was taken), a file written in the guest after it, a revert: the file is gone,
     * the guest runs on from the snapshot, and its file systems take writes (the revert thawed them).
     */
    @Test
    @Order(2)
    void aFileWrittenAfterASnapshotIsGoneAfterTheRevert() throws Exception {
        assertThat(console).as("the guest of the first test").isNotNull();
        // qemu-guest-agent starts when its virtio port appears; it may still be starting after cloud-init.
        String agent = "";
        for (int i = 0; i < 30 && !agent.equals("active"); i++) {
            agent = console.shell("systemctl is-active qemu-guest-agent", SHELL_LIMIT).strip();
            if (!agent.equals("active")) {
                Thread.sleep(2000);
            }
        }
        assertThat(agent).as("qemu-guest-agent in the guest").isEqualTo("active");

        CliResult taken = acp("system", "snapshot", "create", GUEST, "before", "--memory");
        assertThat(taken.stdout()).startsWith("snapshot of system " + GUEST + " on deb1: before (no parent, with memory, taken running at ")
                .endsWith(", application-consistent)");
        assertThat(acp("system", "snapshot", "list", GUEST, "--json").json().path("snapshots").get(0).path("consistency").asText())
                .isEqualTo("application");
        // thawed after the snapshot: a write returns (on frozen file systems it would block until the timeout)
        assertThat(console.shell("timeout 20 sh -c 'echo late > /root/late && sync' && echo written", SHELL_LIMIT).strip()).isEqualTo("written");

        String content = "acp-after-snapshot-" + ProcessHandle.current().pid();
        console.shell("echo " + content + " > /root/after-snapshot; sync", SHELL_LIMIT);
        assertThat(console.shell("cat /root/after-snapshot", SHELL_LIMIT).strip()).isEqualTo(content);

        CliResult reverted = acp("system", "snapshot", "revert", GUEST, "before");
        assertThat(reverted.stdout()).isEqualTo("reverted system " + GUEST + " to snapshot before: running on deb1");
        console.close();
        console = SerialConsole.open(httpPort, node.adminKey(), GUEST);
        console.type("\r"); // a fresh prompt: the shell restored from the snapshot waits at its own
        String after = console.shell("ls /root; test -e /root/after-snapshot && echo still-there || echo gone", SHELL_LIMIT);
        assertThat(after).as("the guest's /root after the revert").contains("gone").doesNotContain("after-snapshot\n").doesNotContain("late");
        assertThat(console.shell("timeout 20 sh -c 'echo again > /root/again && sync' && cat /root/again", SHELL_LIMIT).strip())
                .as("the reverted guest's file systems take writes (thawed)").isEqualTo("again");
    }

    /** With the guest agent stopped, a snapshot of the running guest is crash-consistent, and says so. */
    @Test
    @Order(3)
    void withoutAnAnsweringAgentASnapshotIsCrashConsistent() throws Exception {
        assertThat(console).as("the guest of the first test").isNotNull();
        console.shell("systemctl stop qemu-guest-agent", SHELL_LIMIT);
        assertThat(console.shell("systemctl is-active qemu-guest-agent", SHELL_LIMIT).strip()).isNotEqualTo("active");
        CliResult taken = acp("system", "snapshot", "create", GUEST, "no-agent");
        assertThat(taken.stdout()).contains("no-agent (parent before, with memory, taken running at ").endsWith(", crash-consistent)");
        CliResult table = acp("system", "snapshot", "list", GUEST);
        assertThat(table.out().get(0)).matches("NAME +PARENT +MEMORY +TAKEN +CREATED +CONSISTENCY");
        assertThat(table.out()).anySatisfy(l -> assertThat(l).matches("before +- +yes +running +\\S+ +application-consistent"))
                .anySatisfy(l -> assertThat(l).matches("no-agent +before +yes +running +\\S+ +crash-consistent"));

        acp("system", "stop", GUEST);
        acp("system", "delete", GUEST);
        acp("system", "delete", BASE);
        acp("template", "delete", "debian12");
    }
}
