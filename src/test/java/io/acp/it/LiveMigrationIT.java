package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import io.acp.testing.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live migration for real: two libvirt daemons on this machine, each in its own network and mount
 * namespace ({@code scripts/libvirtd-up node 1} and {@code node 2}), two ACP node processes in one
 * cluster, each on one daemon, and a real guest (KVM where /dev/kvm exists, else TCG) booting a
 * counter from a disk on the pool both daemons share. {@code acp system migrate --live} moves it
 * while it runs: its count, read from its serial console on either side, goes on growing (a reboot
 * would start it at 0). Then each side's ACP process is killed with SIGKILL while libvirt moves the
 * guest: after both are back, exactly one copy runs, the CDB assigns the system where it runs, and
 * neither node keeps a migration record; sampled from both daemons throughout, two copies never run.
 * A backup taken on one node into a pool on the shared directory is restored on the other: checksums
 * verified there first (a corrupted one is refused, naming its file), and the copy boots on it.
 * Needs root; run under {@code flock /tmp/acp-qemu.lock}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class LiveMigrationIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration CLI_LIMIT = Duration.ofSeconds(120);
    private static final Path SHARED = Path.of("/var/lib/acp-libvirt/shared");
    private static final String ID = "acp-live-it-" + ProcessHandle.current().pid();
    private static final Pattern TICK = Pattern.compile("acp-tick ([0-9A-F]{8})");

    @TempDir
    static Path dir;

    static NodeProcess m1;
    static NodeProcess m2;

    private static String unixUri(int n) {
        return "qemu+unix:///system?socket=/var/lib/acp-libvirt/n" + n + "/run/libvirt-sock";
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    private static String virsh(int n, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", unixUri(n)));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    private static boolean runsOn(int n) throws IOException, InterruptedException {
        return virsh(n, "list", "--state-running", "--name").lines().anyMatch(ID::equals);
    }

    @BeforeAll
    static void start() throws Exception {
        for (int n = 1; n <= 2; n++) {
            String up = run("scripts/libvirtd-up", "node", Integer.toString(n));
            assertThat(up).as("scripts/libvirtd-up node %d", n).contains("node " + n + " ready");
        }
        // The guest's disk: the counting boot sector, on the pool both daemons see at this path.
        Path disk = SHARED.resolve(ID + ".img");
        try (InputStream boot = LiveMigrationIT.class.getResourceAsStream("/guest/ticker.bin")) {
            Files.write(disk, boot.readAllBytes());
        }
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(1 << 20);
        }

        List<String> sync = new ArrayList<>(ClusterPair.syncOptions("live-migration-it-secret"));
        sync.add("-Dacp.node.services=cluster,api,hypervisor,agent,storage");
        ClusterPair pair = ClusterPair.start(dir, "m1", options(sync, 1), "m2", options(sync, 2));
        m1 = pair.a();
        m2 = pair.b();
    }

    private static List<String> options(List<String> sync, int n) {
        List<String> o = new ArrayList<>(sync);
        o.addAll(List.of("-Dacp.hypervisor.uri=" + unixUri(n),
                "-Dacp.hypervisor.migration-uri=qemu+tcp://10.93.0." + n + "/system",
                "-Dacp.hypervisor.migration-shared-storage=true",
                "-Dacp.hypervisor.allowed-device-paths=" + SHARED,
                "-Dacp.storage.allowed-roots=" + SHARED,
                "-Dacp.storage.lvm.activation=false",
                "-Dacp.hypervisor.reconcile-interval=1s",
                "-Dacp.hypervisor.migration-max-downtime=100ms"));
        return o;
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (NodeProcess n : new NodeProcess[] {m1, m2}) {
                if (n != null) {
                    n.close();
                }
            }
        } finally {
            // Stopping a node kills its guests and removes its namespaces, mounts and directories (and the shared pool).
            run("scripts/libvirtd-up", "stop", "1");
            run("scripts/libvirtd-up", "stop", "2");
        }
    }

    private static CliResult cli(NodeProcess node, String... args) throws Exception {
        return ClusterPair.cli(dir, node, args);
    }

    /** The guest's serial console on {@code node} (a pty of that node's qemu), read line by line in the background. */
    static final class Serial implements AutoCloseable {
        final List<long[]> ticks = new CopyOnWriteArrayList<>(); // {count, nanoTime}
        private final Thread reader;
        private final AtomicBoolean open = new AtomicBoolean(true);

        Serial(NodeProcess node) throws Exception {
            this(node, ID);
        }

        Serial(NodeProcess node, String system) throws Exception {
            String pty;
            try (ApiClient api = node.client()) {
                JsonNode consoles = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (consoles == null) {
                    try {
                        consoles = api.call("hypervisor", "console-info", Json.object().put("id", system)).path("consoles");
                    } catch (io.acp.protocol.AcpException e) {
                        // a node back from a crash mid-move first finishes the migration it recorded
                        if (!e.getMessage().contains("being migrated") || System.nanoTime() > deadline) {
                            throw e;
                        }
                        Thread.sleep(200);
                    }
                }
                pty = null;
                for (JsonNode c : consoles) {
                    if (c.path("path").asText().startsWith("/dev/pts/")) {
                        pty = c.path("path").asText();
                    }
                }
            }
            assertThat(pty).as("serial console of %s on node %s", system, node.id()).isNotNull();
            run("stty", "-F", pty, "raw", "-echo");
            Path path = Path.of(pty);
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.US_ASCII))) {
                    for (String line = r.readLine(); line != null && open.get(); line = r.readLine()) {
                        Matcher m = TICK.matcher(line);
                        if (m.find()) {
                            ticks.add(new long[] {Long.parseLong(m.group(1), 16), System.nanoTime()});
                        }
                    }
                } catch (IOException ended) {
                    // the pty closes when its qemu leaves: the guest moved away
                }
            }, "serial-" + node.id());
            reader.setDaemon(true);
            reader.start();
        }

        long last() {
            return ticks.isEmpty() ? -1 : ticks.get(ticks.size() - 1)[0];
        }

        @Override
        public void close() {
            open.set(false);
        }
    }

    private static JsonNode meta(NodeProcess node, String of) throws Exception {
        try (ApiClient api = node.client()) {
            JsonNode m = api.call("cluster", "meta", Json.object().put("type", "system").put("id", ID).put("node", of));
            return m.isEmpty() ? Json.object() : m.get(0).path("values");
        }
    }

    private static String assigned(NodeProcess node) throws Exception {
        try (ApiClient api = node.client()) {
            return api.call("cluster", "get", Json.object().put("type", "system").put("id", ID)).path("spec").path("node").asText();
        }
    }

    @Test
    @Order(1)
    void aRunningGuestMovesWithoutRebooting() throws Exception {
        ObjectNode spec = Json.object().put("vcpus", 1).put("memory", 32).put("node", "m1");
        spec.putArray("disks").addObject().put("path", SHARED.resolve(ID + ".img").toString()).put("format", "raw").put("bus", "ide");
        CliResult created = cli(m1, "system", "create", ID, "--start", "--spec", spec.toString());
        assertThat(created.exitCode()).as("%s", created).isZero();
        assertThat(virsh(1, "dumpxml", ID)).contains("<domain type='" + (Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu") + "'");

        long before;
        try (Serial s1 = new Serial(m1)) {
            Eventually.await(WAIT, probe(() -> s1.ticks.size() >= 50), "the guest on m1 counts on its serial console");
            before = s1.last();
            Eventually.await(WAIT, probe(() -> m2HasSeen()), "node m2 sees system " + ID + " through sync");
            long t0 = System.nanoTime();
            CliResult moved = cli(m1, "system", "migrate", ID, "--to", "m2", "--live", "--json");
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(moved.exitCode()).as("%s", moved).isZero();
            JsonNode answer = Json.MAPPER.readTree(moved.stdout());
            assertThat(answer.path("migrated").asBoolean()).isTrue();
            assertThat(answer.path("node").asText()).isEqualTo("m2");
            assertThat(answer.path("state").asText()).isEqualTo("running");
            System.out.printf("LiveMigrationIT: live migration of a running guest m1 -> m2: paused %d ms (libvirt), libvirt job %d ms, ACP migrate %d ms, acp CLI wall %d ms%n",
                    answer.path("downtimeMs").asLong(-1), answer.path("elapsedMs").asLong(-1), answer.path("durationMs").asLong(-1), wallMs);
            Files.writeString(dir.getParent().resolve("live-migration-figures.txt"), answer.toString() + " wallMs=" + wallMs + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            assertThat(answer.path("downtimeMs").asLong(-1)).as("libvirt's downtime of the move: %s", answer).isNotNegative();
            assertThat(s1.last()).isGreaterThanOrEqualTo(before);
            before = s1.last();
        }
        assertThat(runsOn(2)).as("running on node 2's libvirt").isTrue();
        assertThat(virsh(1, "list", "--all", "--name")).doesNotContain(ID);
        try (Serial s2 = new Serial(m2)) {
            Eventually.await(WAIT, probe(() -> s2.ticks.size() >= 20), "the guest on m2 counts on its serial console");
            long first = s2.ticks.get(0)[0];
            // The count went on from where it was on m1: the guest did not boot again.
            assertThat(first).as("first count read on m2 after %d on m1", before).isGreaterThan(before);
            assertThat(s2.last()).isGreaterThan(first);
        }
        Eventually.await(WAIT, probe(() -> "m2".equals(assigned(m1)) && "m2".equals(assigned(m2))), "both nodes assign " + ID + " to m2");
        Eventually.await(WAIT, probe(() -> !meta(m1, "m1").has("migration") && !meta(m2, "m2").has("migration")), "no migration record left");
    }

    @FunctionalInterface
    interface Check {
        boolean test() throws Exception;
    }

    /** A condition to wait for; one that throws (a node restarting, a daemon busy) is not met yet. */
    private static java.util.function.BooleanSupplier probe(Check c) {
        return () -> {
            try {
                return c.test();
            } catch (Exception e) {
                return false;
            }
        };
    }

    private static boolean m2HasSeen() {
        try {
            return "m1".equals(assigned(m2));
        } catch (Exception e) {
            return false;
        }
    }

    /** One daemon's answer for the guest, read between two instants: libvirt's state and reason ({@code virsh domstate --reason}). */
    record Reading(int daemon, long fromNanos, long toNanos, java.time.Instant at, String state) {
        /** Only VIR_DOMAIN_RUNNING runs the guest's code; a source paused for the switchover ("paused (migrating)") does not. */
        boolean running() {
            return state.startsWith("running");
        }

        @Override
        public String toString() {
            return at + " n" + daemon + " " + state + " (read in " + (toNanos - fromNanos) / 1_000_000 + " ms)";
        }
    }

    private static Reading read(int daemon) throws IOException, InterruptedException {
        long from = System.nanoTime();
        String out = virsh(daemon, "domstate", "--reason", ID);
        long to = System.nanoTime();
        String state = out.startsWith("error:") ? "absent" : out.lines().findFirst().orElse("").strip();
        return new Reading(daemon, from, to, java.time.Instant.now(), state);
    }

    /**
     * Reads the two daemons in turn until stopped: every change of either one's state goes to
     * {@link #timeline}, and every time the guest ran on both at once to {@link #doubleRuns}.
     *
     * <p>virsh reads one daemon at a time, each read taking 20–300 ms on a loaded machine, while
     * libvirt's switchover (source paused, target resumed, source destroyed) takes a few ms: a
     * source read just before it and a target read just after it both say running although the two
     * never ran at once. So a read showing the guest running counts as a double run only when it
     * lies between two reads of the other daemon that both show it running too: the other copy ran
     * before and after it, so (not having stopped and started again in between, which libvirt does
     * only when a move fails before the target ran) also at that instant.
     *
     * <p>Only libvirt's running state counts: a source paused for the move is not a second copy, as
     * it is never resumed once the target runs. libvirt resumes the source only when the target's
     * finish failed (the target's copy is killed first), and ACP resumes no paused source of a live
     * move: its recovery after a crash only drops its record or assigns the system to the target
     * (Migrations.recoverSource; MigrationCrashTest).
     */
    static final class TwoCopiesWatch implements AutoCloseable {
        final List<String> timeline = new CopyOnWriteArrayList<>();
        final List<String> doubleRuns = new CopyOnWriteArrayList<>();
        /** Two reads in a row, one of each daemon, that both showed the guest running: a switchover between them, or a double run. */
        final List<String> straddles = new CopyOnWriteArrayList<>();
        private final AtomicBoolean watching = new AtomicBoolean(true);
        private final Thread thread;

        TwoCopiesWatch() {
            thread = new Thread(this::watch, "two-copies-watch");
            thread.setDaemon(true);
            thread.start();
        }

        private void watch() {
            Reading[] last = new Reading[3]; // the three latest reads, oldest first, of alternating daemons
            String[] seen = new String[3];
            try {
                for (int daemon = 1; watching.get(); daemon = 3 - daemon) {
                    Reading r = read(daemon);
                    if (!r.state().equals(seen[daemon])) {
                        seen[daemon] = r.state();
                        timeline.add(r.toString());
                    }
                    last[0] = last[1];
                    last[1] = last[2];
                    last[2] = r;
                    if (last[0] != null && last[0].running() && last[1].running() && last[2].running()) {
                        doubleRuns.add(last[1] + ", between " + last[0] + " and " + last[2]);
                    } else if (last[1] != null && last[1].running() && last[2].running()) {
                        straddles.add(last[1] + ", then " + last[2]);
                    }
                }
            } catch (IOException | InterruptedException e) {
                timeline.add("watch ended: " + e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            watching.set(false);
            thread.join(5000);
        }
    }

    /**
     * Starts {@code acp system migrate} from {@code source} and kills {@code victim} as soon as
     * libvirt's migration job on {@code sourceDaemon} is seen running (or, if the move was quicker
     * than the sampling, right after it); answers whether the kill landed inside libvirt's job.
     */
    private static boolean migrateAndKill(NodeProcess source, String to, int sourceDaemon, NodeProcess victim) throws Exception {
        Thread migrate = new Thread(() -> {
            try {
                cli(source, "system", "migrate", ID, "--to", to, "--live");
            } catch (Exception e) {
                // the answer does not matter here: the outcome is checked on the daemons and in the CDB
            }
        });
        migrate.start();
        boolean inside = false;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (migrate.isAlive() && System.nanoTime() < deadline) {
            if (virsh(sourceDaemon, "domjobinfo", ID).contains("Unbounded")) {
                inside = true;
                break;
            }
        }
        victim.kill();
        migrate.join(CLI_LIMIT.toMillis());
        System.out.printf("LiveMigrationIT: node %s killed %s libvirt's migration job%n", victim.id(), inside ? "inside" : "after");
        return inside;
    }

    @Test
    @Order(2)
    void killingEitherSideMidMoveLeavesExactlyOneCopy() throws Exception {
        TwoCopiesWatch watch = new TwoCopiesWatch();
        try {
            // The target (m1) is killed while libvirt moves the guest m2 -> m1.
            // Throttled (1 MiB/s), so that the kill can land inside the move.
            virsh(2, "migrate-setspeed", ID, "1");
            migrateAndKill(m2, "m1", 2, m1);
            m1.restart();
            Eventually.await(WAIT, probe(() -> runsOn(1) != runsOn(2)), "exactly one copy after the target was killed");
            int at = runsOn(1) ? 1 : 2;
            String node = "m" + at;
            Eventually.await(WAIT, probe(() -> node.equals(assigned(m1)) && node.equals(assigned(m2))), "both nodes assign " + ID + " to " + node);
            Eventually.await(WAIT, probe(() -> !meta(m1, "m1").has("migration") && !meta(m2, "m2").has("migration")), "no migration record left");
            System.out.printf("LiveMigrationIT: target killed mid-move: the guest runs on %s only%n", node);

            // The source (whichever node has it now) is killed while libvirt moves the guest away.
            NodeProcess source = at == 1 ? m1 : m2;
            NodeProcess target = at == 1 ? m2 : m1;
            virsh(at, "migrate-setspeed", ID, "1");
            migrateAndKill(source, target.id(), at, source);
            source.restart();
            Eventually.await(WAIT, probe(() -> runsOn(1) != runsOn(2)), "exactly one copy after the source was killed");
            int now = runsOn(1) ? 1 : 2;
            String owner = "m" + now;
            Eventually.await(WAIT, probe(() -> owner.equals(assigned(m1)) && owner.equals(assigned(m2))), "both nodes assign " + ID + " to " + owner);
            Eventually.await(WAIT, probe(() -> !meta(source, source.id()).has("migration")), "the source keeps no migration record");
            System.out.printf("LiveMigrationIT: source killed mid-move: the guest runs on %s only%n", owner);
            try (Serial s = new Serial(owner.equals("m1") ? m1 : m2)) {
                Eventually.await(WAIT, probe(() -> s.ticks.size() >= 5), "the surviving copy counts on");
            }
        } finally {
            watch.close();
            System.out.printf("LiveMigrationIT: the guest's state on each daemon while ACP processes were killed:%n  %s%n",
                    String.join("\n  ", watch.timeline));
            watch.straddles.forEach(s -> System.out.printf("LiveMigrationIT: two reads in a row saw it running, one on each daemon (libvirt's switchover fell between them unless a double run is reported): %s%n", s));
        }
        assertThat(watch.doubleRuns).as("reads at which both daemons ran the guest (timeline: %s; node logs: %s)", watch.timeline,
                migrationLogs()).isEmpty();
    }

    /** What the nodes logged of the guest's migrations, every start of each: the other half of a failure's story. */
    private static List<String> migrationLogs() throws IOException {
        List<String> out = new ArrayList<>();
        try (var logs = Files.list(dir)) {
            for (Path node : logs.filter(Files::isDirectory).sorted().toList()) {
                try (var files = Files.list(node)) {
                    for (Path log : files.filter(f -> f.getFileName().toString().matches("node-\\d+\\.log")).sorted().toList()) {
                        Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(ID))
                                .forEach(l -> out.add(node.getFileName() + "/" + log.getFileName() + ": " + l));
                    }
                }
            }
        }
        return out;
    }

    /**
     * {@code acp node evacuate m1 --wait}: m1 becomes unschedulable and the running guest moves live
     * to m2 (with the maximum downtime this node configures, seen in QEMU's parameters during the
     * move), counting on; {@code acp node resume m1} leaves nothing of the evacuation behind.
     */
    @Test
    @Order(3)
    void evacuatingANodeMovesItsRunningGuestLiveAndResumeClearsIt() throws Exception {
        if (runsOn(2)) {
            CliResult back = cli(m2, "system", "migrate", ID, "--to", "m1", "--live");
            assertThat(back.exitCode()).as("%s", back).isZero();
        }
        Eventually.await(WAIT, probe(() -> runsOn(1) && "m1".equals(assigned(m1)) && "m1".equals(assigned(m2))), ID + " runs on m1");
        long before;
        try (Serial s1 = new Serial(m1)) {
            Eventually.await(WAIT, probe(() -> s1.ticks.size() >= 5), "the guest on m1 counts");
            before = s1.last();
        }
        // Throttled (8 MiB/s) so that QEMU's migration parameters can be read while it moves.
        virsh(1, "migrate-setspeed", ID, "8");
        AtomicBoolean moving = new AtomicBoolean(true);
        List<String> limits = new CopyOnWriteArrayList<>();
        Thread sampler = new Thread(() -> {
            while (moving.get()) {
                try {
                    // a query, which libvirt answers while the migration job runs
                    limits.add(virsh(1, "migrate-getmaxdowntime", ID).strip());
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "downtime-sampler");
        sampler.setDaemon(true);
        sampler.start();
        CliResult evacuated;
        try {
            evacuated = cli(m1, "node", "evacuate", "m1", "--wait");
        } finally {
            moving.set(false);
            sampler.join(5000);
        }
        assertThat(evacuated.exitCode()).as("%s", evacuated).isZero();
        assertThat(evacuated.stdout()).contains(ID, "moved", "m2", "evacuation of node m1: done");
        assertThat(limits).as("the maximum downtime (ms) libvirt reported while the guest moved").contains("100");

        assertThat(runsOn(2)).as("running on node 2's libvirt").isTrue();
        assertThat(runsOn(1)).isFalse();
        try (Serial s2 = new Serial(m2)) {
            Eventually.await(WAIT, probe(() -> s2.ticks.size() >= 5), "the guest on m2 counts on");
            assertThat(s2.ticks.get(0)[0]).as("counted on from %d: not rebooted", before).isGreaterThan(before);
        }
        CliResult list = cli(m2, "node", "list");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.stdout().lines().filter(l -> l.startsWith("m1")).findFirst().orElse("")).contains("no (since", "done");
        // nothing may be placed on m1 now
        CliResult refused = cli(m2, "system", "migrate", ID, "--to", "m1", "--live");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(String.join("\n", refused.err())).contains("rule unschedulable", "node m1");
        assertThat(runsOn(2)).isTrue();

        CliResult resumed = cli(m2, "node", "resume", "m1");
        assertThat(resumed.exitCode()).as("%s", resumed).isZero();
        Eventually.await(WAIT, probe(() -> {
            String l = cli(m1, "node", "list").stdout().lines().filter(x -> x.startsWith("m1")).findFirst().orElse("");
            return l.contains("yes");
        }), "m1 sees itself schedulable again");
        try (ApiClient api = m1.client()) {
            JsonNode spec = api.call("cluster", "get", Json.object().put("type", "node").put("id", "m1")).path("spec");
            assertThat(spec.has("unschedulable") || spec.has("evacuation")).as("node m1's object after resume: %s", spec).isFalse();
        }
        Eventually.await(WAIT, probe(() -> !meta(m1, "m1").has("migration") && !meta(m2, "m2").has("migration")), "no migration record left");
        assertThat(virsh(1, "list", "--all", "--name")).doesNotContain(ID);
    }

    /**
     * A backup made on m1 into pool vault (a directory both nodes reach, as a share would be) is
     * listed and restored on m2 under a new name: m2 verifies every checksum first, then the copy is
     * defined and started on m2's daemon, its disk holding the original's bytes (a marker written
     * beside the boot sector), and it boots from it and counts on its serial console. A backup whose
     * file was corrupted after it was taken is refused on m2 naming the file, with nothing defined
     * or written.
     */
    @Test
    @Order(4)
    void aBackupTakenOnOneNodeIsRestoredOnTheOther() throws Exception {
        String original = "acp-live-bk-" + ProcessHandle.current().pid();
        String copy = "acp-live-rs-" + ProcessHandle.current().pid();
        String broken = "acp-live-rx-" + ProcessHandle.current().pid();
        Path vault = SHARED.resolve("vault");
        CliResult pool = cli(m1, "storage", "pool", "create", "vault", "--kind", "dir", "--path", vault.toString());
        assertThat(pool.exitCode()).as("%s", pool).isZero();
        Eventually.await(WAIT, probe(() -> poolOk(m1, "m1") && poolOk(m2, "m2")), "pool vault usable on m1 and m2");

        Path disk = SHARED.resolve(original + ".img");
        byte[] marker = ("acp-backup-marker-" + ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
        try (InputStream boot = LiveMigrationIT.class.getResourceAsStream("/guest/ticker.bin");
                var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.write(boot.readAllBytes());
            f.setLength(1 << 20);
            f.seek(512 * 1024);
            f.write(marker);
        }
        ObjectNode spec = Json.object().put("vcpus", 1).put("memory", 32).put("node", "m1");
        spec.putArray("disks").addObject().put("path", disk.toString()).put("format", "raw").put("bus", "ide");
        CliResult created = cli(m1, "system", "create", original, "--spec", spec.toString());
        assertThat(created.exitCode()).as("%s", created).isZero();

        String good = backup(original);
        Thread.sleep(1100); // backups are named to the second
        String bad = backup(original);
        Eventually.await(WAIT, probe(() -> cli(m2, "system", "backups", original, "--pool", "vault").stdout().contains(bad)),
                "m2 lists both backups of " + original);
        CliResult listed = cli(m2, "system", "backups", original, "--pool", "vault", "--json");
        assertThat(listed.exitCode()).as("%s", listed).isZero();
        JsonNode backups = Json.MAPPER.readTree(listed.stdout()).path("backups");
        assertThat(backups).hasSize(2);
        assertThat(backups.get(0).path("backup").asText()).isEqualTo(good);
        assertThat(backups.get(0).path("node").asText()).as("taken on").isEqualTo("m1");
        assertThat(backups.get(0).path("kind").asText()).isEqualTo("copy");
        assertThat(backups.get(0).path("complete").asBoolean()).isTrue();
        assertThat(backups.get(0).path("bytes").asLong()).isEqualTo(1 << 20);

        // one byte of the second backup's disk file changes after it was taken
        Path file = vault.resolve(".acp-backups").resolve(bad).resolve("disk-hda.raw");
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.seek(512 * 1024);
            f.write('X');
        }
        CliResult refused = cli(m1, "system", "restore", original, bad, "--from", "vault", "--as", broken, "--node", "m2");
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
        assertThat(String.join("\n", refused.err())).contains("rule backup-checksum", "node m2", "disk-hda.raw", "nothing was restored");
        assertThat(virsh(2, "list", "--all", "--name")).doesNotContain(broken);
        assertThat(SHARED.resolve(broken + ".img")).doesNotExist();

        CliResult restored = cli(m1, "system", "restore", original, good, "--from", "vault", "--as", copy, "--node", "m2");
        assertThat(restored.exitCode()).as("%s", restored).isZero();
        assertThat(restored.stdout()).contains("restored system " + copy, good, "running on m2");
        assertThat(runsOn(2, copy)).as("the copy runs on m2's daemon").isTrue();
        assertThat(virsh(1, "list", "--all", "--name")).doesNotContain(copy);
        Path restoredDisk = SHARED.resolve(copy + ".img");
        assertThat(virsh(2, "dumpxml", copy)).contains("<source file='" + restoredDisk + "'");
        byte[] bytes = Files.readAllBytes(restoredDisk);
        assertThat(java.util.Arrays.copyOfRange(bytes, 512 * 1024, 512 * 1024 + marker.length)).as("the marker in the restored disk").isEqualTo(marker);
        assertThat(bytes).isEqualTo(Files.readAllBytes(disk));
        try (Serial s = new Serial(m2, copy)) {
            Eventually.await(WAIT, probe(() -> s.ticks.size() >= 5), "the restored copy boots on m2 and counts on its serial console");
        }
        Eventually.await(WAIT, probe(() -> "m2".equals(assigned(m1, copy))), "m1 sees the copy assigned to m2");

        for (String[] gone : new String[][] {{"m2", copy}, {"m1", original}}) {
            CliResult stop = cli(gone[0].equals("m1") ? m1 : m2, "system", "stop", gone[1]);
            CliResult delete = cli(gone[0].equals("m1") ? m1 : m2, "system", "delete", gone[1]);
            if (delete.exitCode() != 0) { // seen once in CI: what both nodes logged and recorded about the system says who removed what
                fail("acp system delete %s on %s: %s (after acp system stop: %s)%n%s%s", gone[1], gone[0], delete, stop, m1.storyOf(gone[1]), m2.storyOf(gone[1]));
            }
        }
    }

    private static String backup(String system) throws Exception {
        CliResult made = cli(m1, "system", "backup", system, "--to", "vault", "--json");
        assertThat(made.exitCode()).as("%s", made).isZero();
        JsonNode m = Json.MAPPER.readTree(made.stdout());
        assertThat(m.path("node").asText()).isEqualTo("m1");
        return m.path("backup").asText();
    }

    private static boolean poolOk(NodeProcess node, String of) throws Exception {
        try (ApiClient api = node.client()) {
            JsonNode m = api.call("cluster", "meta", Json.object().put("type", "storage").put("id", "vault").put("node", of));
            return !m.isEmpty() && "ok".equals(m.get(0).path("values").path("state").asText());
        }
    }

    private static boolean runsOn(int n, String system) throws IOException, InterruptedException {
        return virsh(n, "list", "--state-running", "--name").lines().anyMatch(system::equals);
    }

    private static String assigned(NodeProcess node, String system) throws Exception {
        try (ApiClient api = node.client()) {
            return api.call("cluster", "get", Json.object().put("type", "system").put("id", system)).path("spec").path("node").asText();
        }
    }
}
