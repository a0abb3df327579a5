package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import java.io.IOException;
import java.net.ServerSocket;
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
 * <li>Its NIC is on an ACP network (a vxlan network on a veth underlay NIC of this machine: VLANs
 * cannot run on the test kernels), and the static address of the cloud-init network-config given at
 * create is the one the guest shows ({@code ip -4 addr}).
 * <li>A snapshot of the running guest (with memory), taken while its guest agent answers: the agent
 * froze the file systems, the snapshot says application-consistent. A file written in the guest
 * after it (through the console) is gone after a revert, and the reverted guest's file systems take
 * writes again (thawed).
 * <li>With the agent stopped in the guest, the next snapshot is crash-consistent.
 * <li>A full then an incremental backup of the running guest (a file written in it between them;
 * the incremental much smaller), restored as a copy on a second node of the cluster, which boots
 * there and shows the file on its serial console (relayed by the first node's WebAPI).
 * </ol>
 * The second node's libvirt is a namespaced daemon ({@code scripts/libvirtd-up node 3}, as
 * LiveMigrationIT's), its network service works in that daemon's network namespace, and the two
 * nodes form a cluster as LiveMigrationIT's do ({@link ClusterPair}). Needs root and libvirtd on
 * {@code qemu:///system} (scripts/libvirtd-up); run under {@code flock /tmp/acp-qemu.lock}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 660, unit = TimeUnit.SECONDS)
class DebianGuestIT {

    private static final String URI = "qemu:///system";
    private static final Duration CLI_LIMIT = Duration.ofSeconds(120);
    private static final String BASE = "acp-deb-base-it-" + ProcessHandle.current().pid();
    private static final String GUEST = "acp-deb-it-" + ProcessHandle.current().pid();
    private static final String COPY = "acp-deb-rs-it-" + ProcessHandle.current().pid();
    /** The second node's namespaced libvirt daemon (scripts/libvirtd-up node N). */
    private static final int DAEMON = 3;
    private static final String NAMESPACE = "acp-lv" + DAEMON;
    /** As TemplateQemuIT: KVM unless this machine's KVM is PVM, where a stock Debian kernel only runs emulated. */
    private static final String ACCELERATOR = Files.isDirectory(Path.of("/sys/module/kvm_pvm")) ? "tcg" : "auto";
    /** Boot to cloud-init's last stage: ~20 s on KVM, 2 to 5 min under TCG on a busy machine (load 20 to 30 on 2 cores); bounded above it. */
    private static final Duration BOOT_LIMIT = Duration.ofSeconds(ACCELERATOR.equals("tcg") ? 480 : 90);
    /** One shell command in the guest (under TCG a loaded machine makes even `ls` take seconds). */
    private static final Duration SHELL_LIMIT = Duration.ofSeconds(60);

    private static final int TAG = (int) (ProcessHandle.current().pid() % 10000);
    /** The underlay NIC of the vxlan network: one end of a veth pair (the test kernels have no dummy links), made and removed here. */
    private static final String UNDERLAY = "acpdeb" + TAG;
    private static final String NETWORK = "dn" + TAG;
    private static final int VNI = 7_000_000 + TAG;
    /** The guest's static address, from its cloud-init network-config. */
    private static final String ADDRESS = "10.213." + (TAG % 250) + ".5/24";

    @TempDir
    static Path dir;

    static ClusterPair pair;
    static NodeProcess node;
    static NodeProcess node2;
    static int httpPort;
    static SerialConsole console;

    @BeforeAll
    static void startNode() throws Exception {
        HostRun probe = run(Duration.ofSeconds(60), "virsh", "-c", URI, "version");
        assertThat(probe.exit()).as("libvirtd must answer on %s (scripts/libvirtd-up starts it): %s", URI, probe.output()).isZero();
        Files.createDirectories(dir.resolve("roots"));
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        HostRun up = run(Duration.ofSeconds(120), "scripts/libvirtd-up", "node", Integer.toString(DAEMON));
        assertThat(up.output()).as("scripts/libvirtd-up node %d", DAEMON).contains("node " + DAEMON + " ready");
        // The network's underlay on each node: in the host's namespace for deb1, in the daemon's for deb2.
        underlay(List.of("ip"), "10.212." + (TAG % 250) + ".1/24");
        underlay(List.of("ip", "-n", NAMESPACE), "10.212." + (TAG % 250) + ".2/24");
        List<String> common = new java.util.ArrayList<>(ClusterPair.syncOptions("debian-guest-it-secret"));
        common.addAll(List.of("-Dacp.hypervisor.reconcile-interval=2s", "-Dacp.hypervisor.accelerator=" + ACCELERATOR, "-Dacp.network.uplinks=" + UNDERLAY,
                "-Dacp.storage.allowed-roots=" + dir.resolve("roots"), "-Dacp.storage.lvm.activation=false"));
        List<String> first = new java.util.ArrayList<>(common);
        first.addAll(List.of("-Dacp.hypervisor.uri=" + URI, "-Dacp.node.services=cluster,api,hypervisor,network,storage,monitor,agent,webapi",
                "-Dacp.webapi.port=" + httpPort));
        List<String> second = new java.util.ArrayList<>(common);
        second.addAll(List.of("-Dacp.hypervisor.uri=qemu+unix:///system?socket=/var/lib/acp-libvirt/n" + DAEMON + "/run/libvirt-sock",
                "-Dacp.node.services=cluster,api,hypervisor,network,storage,agent", "-Dacp.network.namespace=" + NAMESPACE));
        pair = ClusterPair.start(dir, "deb1", first, "deb2", second);
        node = pair.a();
        node2 = pair.b();
    }

    /** A veth pair whose end {@link #UNDERLAY} has {@code address}, made with {@code ip} (in a namespace: {@code ip -n NS}). */
    private static void underlay(List<String> ip, String address) throws Exception {
        for (String[] args : new String[][] {{"link", "add", UNDERLAY, "type", "veth", "peer", "name", UNDERLAY + "p"}, {"addr", "add", address, "dev", UNDERLAY},
            {"link", "set", UNDERLAY + "p", "up"}, {"link", "set", UNDERLAY, "up"}}) {
            List<String> cmd = new java.util.ArrayList<>(ip);
            cmd.addAll(List.of(args));
            HostRun r = run(Duration.ofSeconds(30), cmd.toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", cmd, r.output()).isZero();
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (console != null) {
                console.close();
            }
            if (pair != null) {
                pair.close();
            }
        } finally {
            // the second daemon goes with its namespace: its guests, links and directories
            run(Duration.ofSeconds(120), "scripts/libvirtd-up", "stop", Integer.toString(DAEMON));
            for (String id : List.of(GUEST, BASE)) {
                run(Duration.ofSeconds(60), "virsh", "-c", URI, "destroy", id);
                // a domain with checkpoints (the backups' dirty bitmaps) is not undefined: they go first
                for (String checkpoint : run(Duration.ofSeconds(60), "virsh", "-c", URI, "checkpoint-list", id, "--name").output().lines()
                        .filter(l -> !l.isBlank()).toList()) {
                    run(Duration.ofSeconds(60), "virsh", "-c", URI, "checkpoint-delete", id, checkpoint.strip(), "--metadata");
                }
                run(Duration.ofSeconds(60), "virsh", "-c", URI, "undefine", id, "--snapshots-metadata");
            }
            // the network's links, if the node could not delete them, then the underlay
            for (String link : List.of("acp-" + NETWORK, "acpvx" + VNI, UNDERLAY)) {
                run(Duration.ofSeconds(30), "ip", "link", "del", link);
            }
        }
    }

    /** The last 60 lines of a node's log that name {@code id}. */
    private static HostRun run(Duration limit, String... cmd) throws IOException, InterruptedException {
        return HostRun.of(limit, cmd);
    }

    private static CliResult acp(String... args) throws Exception {
        return node.cliOk(dir, CLI_LIMIT, args);
    }

    /**
     * A clone of a template made from the Debian image boots, and cloud-init in it reads the NoCloud
     * seed ACP attached and runs the user-data: a {@code runcmd} that writes a marker (with the host
     * name cloud-init set from the seed's meta-data) to the serial console, then logs root in there.
     */
    @Test
    @Order(1)
    void cloudInitInARealGuestRunsTheUserDataOfTheSeed() throws Exception {
        HostRun built = run(Duration.ofMinutes(30), "scripts/guest-image");
        assertThat(built.exit()).as("scripts/guest-image: %s", built.output()).isZero();
        Path image = Path.of(built.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        Path images = dir.resolve("roots/debian");
        acp("storage", "pool", "create", "debian", "--kind", "dir", "--path", images.toString());
        // The base system's disk: an overlay on the cached image (the template copies the overlay, not the whole image).
        Files.createDirectories(images);
        HostRun overlay = run(Duration.ofSeconds(60), "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image.toString(),
                images.resolve("debian.qcow2").toString());
        assertThat(overlay.exit()).as("%s", overlay.output()).isZero();
        acp("system", "create", BASE, "--on", "deb1", "--vcpus", "1", "--memory", "512", "--spec",
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
        Path networkConfig = Files.writeString(dir.resolve("network-config.yaml"), """
                version: 2
                ethernets:
                  eth0:
                    addresses: [ADDRESS]
                """.replace("ADDRESS", ADDRESS));
        io.acp.testing.Eventually.await(Duration.ofSeconds(60), () -> {
            try {
                return node.cli(dir, CLI_LIMIT, "network", "create", NETWORK, "--type", "vxlan", "--uplink", UNDERLAY, "--vni", Integer.toString(VNI))
                        .exitCode() == 0;
            } catch (Exception e) {
                return false;
            }
        }, "network " + NETWORK + " created once node deb1 reports its uplink " + UNDERLAY);
        io.acp.testing.Eventually.await(Duration.ofSeconds(60), () -> networkState().equals("up"), "network " + NETWORK + " up on deb1");
        long t0 = System.nanoTime();
        acp("system", "create", GUEST, "--template", "debian12", "--cloud-init", userData.toString(), "--hostname", "ci-guest",
                "--network", NETWORK, "--network-config", networkConfig.toString(), "--memory", "512", "--on", "deb1", "--start");
        console = SerialConsole.open(httpPort, node.adminKey(), GUEST);
        int at = console.await(marker + " on ", 0, BOOT_LIMIT);
        System.out.printf("DebianGuestIT: cloud-init's runcmd ran %d ms after acp system create --start (accelerator %s)%n",
                (System.nanoTime() - t0) / 1_000_000, ACCELERATOR);
        assertThat(at).as("the marker on the guest's serial console: %s", console.tail()).isNotNegative();
        // the console's bytes come in chunks: the rest of the line may be a chunk behind its start
        assertThat(console.await(marker + " on ci-guest", at, Duration.ofSeconds(10))).as("with the host name of the seed: %s", console.tail())
                .isEqualTo(at);
        assertThat(console.await("root@ci-guest", at, SHELL_LIMIT)).as("root's prompt on the console: %s", console.tail()).isNotNegative();
        assertThat(console.shell("id -un", SHELL_LIMIT).strip()).isEqualTo("root");
    }

    private static String networkState() {
        try (io.acp.api.client.ApiClient api = node.client()) {
            JsonNode m = api.call("cluster", "meta", io.acp.model.Json.object().put("type", "network").put("id", NETWORK).put("node", "deb1"));
            return m.isEmpty() ? "" : m.get(0).path("values").path("state").asText();
        } catch (Exception e) {
            return "";
        }
    }

    /** The guest's NIC on the ACP network has the static address of the network-config given at create, as cloud-init applied it. */
    @Test
    @Order(2)
    void theNetworkConfigOfTheSeedGivesTheGuestItsStaticAddress() throws Exception {
        assertThat(console).as("the guest of the first test").isNotNull();
        assertThat(run(Duration.ofSeconds(30), "virsh", "-c", URI, "dumpxml", GUEST).output()).contains("<source bridge='acp-" + NETWORK + "'");
        String addr = console.shell("ip -4 -o addr show dev eth0", SHELL_LIMIT);
        assertThat(addr).as("eth0 in the guest").contains("inet " + ADDRESS);
    }

    /**
     * A snapshot with memory while the guest agent answers (application-consistent: its file systems
     * were frozen while it was taken), a file written in the guest after it, a revert: the file is gone,
     * the guest runs on from the snapshot, and its file systems take writes (the revert thawed them).
     */
    @Test
    @Order(3)
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
    @Order(4)
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

    }

    /**
     * A full backup of the running guest, a file written in it, an incremental backup (much smaller
     * than the full), restored as a copy on node deb2: checksums checked there, the chain rebuilt, the
     * copy started on deb2's daemon; it boots, and its console (deb1's WebAPI relays it from deb2's
     * agent) shows the file written before the incremental.
     */
    @Test
    @Order(5)
    void aRunningGuestsIncrementalBackupIsRestoredOnTheOtherNodeAndShowsItsData() throws Exception {
        assertThat(console).as("the guest of the first test").isNotNull();
        Path vault = dir.resolve("roots/vault");
        acp("storage", "pool", "create", "vault", "--kind", "dir", "--path", vault.toString());
        io.acp.testing.Eventually.await(Duration.ofSeconds(60), () -> poolState(node2).equals("ok"), "pool vault usable on deb2");

        // cloud-init did its work at the first boot (the first test checks it); without it the copy boots to its
        // prompt in about half the time under TCG (four Python stages, 10 to 20 s each), and nothing here is about it.
        console.shell("touch /etc/cloud/cloud-init.disabled; sync", SHELL_LIMIT);
        JsonNode full = acp("system", "backup", GUEST, "--to", "vault", "--json").json();
        assertThat(full.path("kind").asText()).isEqualTo("full");
        String data = "acp-before-incremental-" + ProcessHandle.current().pid();
        console.shell("echo " + data + " > /root/backup-data; sync", SHELL_LIMIT);
        Thread.sleep(1100); // backups are named to the second
        JsonNode incremental = acp("system", "backup", GUEST, "--to", "vault", "--json").json();
        assertThat(incremental.path("kind").asText()).isEqualTo("incremental");
        assertThat(incremental.path("parent").asText()).isEqualTo(full.path("backup").asText());
        long fullBytes = full.path("disks").get(0).path("bytes").asLong();
        long incrementalBytes = incremental.path("disks").get(0).path("bytes").asLong();
        System.out.printf("DebianGuestIT: full backup %d bytes, incremental %d bytes%n", fullBytes, incrementalBytes);
        assertThat(incrementalBytes).as("the incremental holds the changed clusters only (full: %d bytes)", fullBytes).isLessThan(fullBytes / 4);

        // the original stops (under TCG two guests would share the two cores); its copy boots on deb2
        acp("system", "stop", GUEST);
        String backup = incremental.path("backup").asText();
        // Asked of deb1 and routed to deb2 (--node): a restore of a real disk (checksums of 0.5 GB, the chain rebuilt)
        // takes longer than acp.agent.route-timeout (10 s) under load, and the routed hop waits for it as for any job.
        CliResult restored = node.cliOk(dir, Duration.ofSeconds(300), "system", "restore", GUEST, backup, "--from", "vault",
                "--as", COPY, "--node", "deb2", "--timeout", "280");
        assertThat(restored.stdout()).contains("restored system " + COPY, backup, "running on deb2");
        HostRun onDeb2 = run(Duration.ofSeconds(30), "virsh", "-c", "qemu+unix:///system?socket=/var/lib/acp-libvirt/n" + DAEMON + "/run/libvirt-sock",
                "list", "--state-running", "--name");
        assertThat(onDeb2.output()).as("deb2's daemon runs the copy").contains(COPY);
        io.acp.testing.Eventually.await(Duration.ofSeconds(60), () -> {
            try (io.acp.api.client.ApiClient api = node.client()) {
                return api.call("cluster", "get", io.acp.model.Json.object().put("type", "system").put("id", COPY)).path("spec").path("node").asText()
                        .equals("deb2");
            } catch (Exception e) {
                return false;
            }
        }, "deb1 sees the copy assigned to deb2");
        console.close();
        long t0 = System.nanoTime();
        console = SerialConsole.open(httpPort, node.adminKey(), COPY, "deb2");
        int prompt = console.await("root@ci-guest", 0, BOOT_LIMIT);
        System.out.printf("DebianGuestIT: the restored copy's root prompt came %d ms after its console opened%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(prompt).as("the copy's root prompt on its console: %s", console.tail()).isNotNegative();
        assertThat(console.shell("cat /root/backup-data", SHELL_LIMIT).strip()).as("the data written before the incremental").isEqualTo(data);

        CliResult stopped = ClusterPair.cli(dir, node2, "system", "stop", COPY);
        CliResult deleted = ClusterPair.cli(dir, node2, "system", "delete", COPY);
        if (deleted.exitCode() != 0) { // seen once in CI, never alone: what both nodes logged about the copy says who removed what
            fail("acp system delete %s on deb2: %s (after acp system stop: %s)%n%s%s", COPY, deleted, stopped, node2.storyOf(COPY), node.storyOf(COPY));
        }
        acp("system", "delete", GUEST, "--force");
        acp("system", "delete", BASE, "--force");
        acp("template", "delete", "debian12");
        acp("network", "delete", NETWORK);
    }

    private static String poolState(NodeProcess of) {
        try (io.acp.api.client.ApiClient api = of.client()) {
            JsonNode m = api.call("cluster", "meta", io.acp.model.Json.object().put("type", "storage").put("id", "vault").put("node", of.id()));
            return m.isEmpty() ? "" : m.get(0).path("values").path("state").asText();
        } catch (Exception e) {
            return "";
        }
    }
}
