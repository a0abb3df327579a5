package io.acp.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install into a staging root (--dest): the tree it lays out, the systemd unit it writes,
 * that rerunning it upgrades without touching the operator's config, and that the installed
 * launcher runs the installed app (with and without the trained class archive).
 */
class InstallScriptIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dest;

    @Test
    void laysOutTheTreeUnitConfigAndDataDir() throws Exception {
        Run run = install("--dest", dest.toString(), "--no-build");

        assertThat(run.exit).as(run.output).isZero();
        Path app = dest.resolve("usr/local/lib/acp");
        assertThat(app.resolve("quarkus-run.jar")).isRegularFile();
        assertThat(app.resolve("acp-client.jar")).as("client calls' plain class path").isRegularFile();
        try (java.util.jar.JarFile client = new java.util.jar.JarFile(app.resolve("acp-client.jar").toFile())) {
            String classPath = client.getManifest().getMainAttributes().getValue("Class-Path");
            assertThat(classPath.split(" +")).as("acp-client.jar's Class-Path: %s", classPath).hasSizeGreaterThan(3)
                    .allSatisfy(entry -> assertThat(app.resolve(entry)).isRegularFile());
        }
        assertThat(app.resolve("lib")).isDirectory();
        assertThat(app.resolve("app")).isDirectory();
        assertThat(app.resolve("quarkus")).isDirectory();
        assertThat(Files.isExecutable(app.resolve("train-archive"))).isTrue();
        Path launcher = dest.resolve("usr/local/bin/acp");
        assertThat(Files.isExecutable(launcher)).isTrue();
        // Paths inside the files are the final ones, not the staging root's.
        assertThat(Files.readString(launcher)).contains("\"${ACP_APP_DIR:-/usr/local/lib/acp}\"").doesNotContain(dest.toString());
        assertThat(dest.resolve("usr/local/share/doc/acp/operations.md")).isRegularFile();
        assertThat(Files.getPosixFilePermissions(dest.resolve("var/lib/acp")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));

        List<String> config = Files.readAllLines(dest.resolve("etc/acp/application.properties"));
        assertThat(config).contains("#acp.node.id=node1", "#acp.hypervisor.uri=qemu:///system");
        assertThat(config).as("every setting commented out: the defaults apply until the operator chooses")
                .allMatch(line -> line.isBlank() || line.startsWith("#"));
        assertThat(dest.resolve("etc/acp/acp.env")).isRegularFile();

        Path unit = dest.resolve("etc/systemd/system/acp.service");
        SystemdUnit parsed = SystemdUnit.parse(Files.readAllLines(unit));
        assertThat(parsed.get("Service", "ExecStart")).containsExactly("/usr/local/bin/acp node run");
        assertThat(parsed.get("Service", "Restart")).containsExactly("on-failure");
        assertThat(parsed.get("Service", "Environment")).containsExactly(
                "ACP_CONFIG_FILE=/etc/acp/application.properties", "QUARKUS_CONFIG_LOCATIONS=/etc/acp/application.properties");
        assertThat(parsed.get("Service", "RuntimeDirectory")).containsExactly("acp");
        assertThat(parsed.get("Service", "StateDirectory")).containsExactly("acp");
        assertThat(parsed.get("Service", "RestrictAddressFamilies").get(0)).contains("AF_UNIX", "AF_NETLINK", "AF_INET");
        assertThat(parsed.get("Service", "PrivateDevices")).as("storage needs the block devices").isEmpty();
        assertThat(parsed.get("Service", "MemoryDenyWriteExecute")).as("the JIT writes code").isEmpty();
        assertThat(parsed.get("Install", "WantedBy")).containsExactly("multi-user.target");
        assertThat(Files.readString(unit)).doesNotContainPattern("@[A-Z_]+@");

        if (onPath("systemd-analyze")) {
            // verify checks that ExecStart exists on this machine: point it at the staged launcher.
            Path copy = dest.resolve("acp.service");
            Files.writeString(copy, Files.readString(unit).replace("/usr/local/bin/acp", launcher.toString()));
            Run verify = run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()), Map.of());
            assertThat(verify.exit).as(verify.output).isZero();
            assertThat(verify.output).as("systemd-analyze verify complaints").doesNotContain("acp.service");
        }
    }

    @Test
    void rerunningUpgradesInPlaceAndKeepsTheOperatorsConfig() throws Exception {
        assertThat(install("--dest", dest.toString(), "--no-build").exit).isZero();
        Path config = dest.resolve("etc/acp/application.properties");
        Files.writeString(config, "acp.node.id=n7\n");
        Path stray = dest.resolve("usr/local/lib/acp/lib/main/stale.jar");
        Files.writeString(stray, "from an older version");

        Run again = install("--dest", dest.toString(), "--no-build");

        assertThat(again.exit).as(again.output).isZero();
        assertThat(Files.readString(config)).isEqualTo("acp.node.id=n7\n");
        assertThat(dest.resolve("etc/acp/application.properties.dist")).isRegularFile();
        assertThat(again.output).contains("kept " + config);
        assertThat(stray).as("the app tree is replaced whole").doesNotExist();
        assertThat(dest.resolve("usr/local/lib/acp.new")).doesNotExist();
        assertThat(dest.resolve("usr/local/lib/acp.old")).doesNotExist();
        assertThat(dest.resolve("usr/local/lib/acp/quarkus-run.jar")).isRegularFile();
    }

    @Test
    void honoursPrefixAndRefusesRelativePaths() throws Exception {
        Run run = install("--dest", dest.toString(), "--no-build", "--prefix", "/opt/acp", "--datadir", "/srv/acp");

        assertThat(run.exit).as(run.output).isZero();
        assertThat(dest.resolve("opt/acp/lib/acp/quarkus-run.jar")).isRegularFile();
        assertThat(dest.resolve("srv/acp")).isDirectory();
        SystemdUnit unit = SystemdUnit.parse(Files.readAllLines(dest.resolve("etc/systemd/system/acp.service")));
        assertThat(unit.get("Service", "ExecStart")).containsExactly("/opt/acp/bin/acp node run");

        Run relative = install("--dest", dest.toString(), "--no-build", "--prefix", "opt");
        assertThat(relative.exit).isEqualTo(2);
        assertThat(relative.output).contains("opt must be an absolute path");
    }

    @Test
    void installedLauncherRunsTheAppWithTheTrainedArchive() throws Exception {
        assertThat(install("--dest", dest.toString(), "--no-build").exit).isZero();
        Path app = dest.resolve("usr/local/lib/acp");
        Path launcher = dest.resolve("usr/local/bin/acp");
        Map<String, String> env = Map.of("ACP_APP_DIR", app.toString(), "ACP_JAVA", JAVA,
                "ACP_CONFIG_FILE", dest.resolve("etc/acp/application.properties").toString());

        Run plain = run(List.of(launcher.toString(), "--version"), env);
        assertThat(plain.exit).as(plain.output).isZero();
        assertThat(plain.output).startsWith("acp ");

        Run train = run(List.of(app.resolve("train-archive").toString()), Map.of("ACP_JAVA", JAVA));
        assertThat(train.exit).as(train.output).isZero();
        List<String> archiveConf = Files.readAllLines(app.resolve("archive.conf"));
        assertThat(archiveConf).contains("java=" + Path.of(JAVA).toRealPath());
        String flag = archiveConf.stream().filter(l -> l.startsWith("flag=")).findFirst().orElseThrow().substring(5);
        assertThat(Path.of(flag.substring(flag.indexOf('=') + 1))).isRegularFile();
        String clientFlag = archiveConf.stream().filter(l -> l.startsWith("client_flag=")).findFirst().orElseThrow().substring(12);
        assertThat(Path.of(clientFlag.substring(clientFlag.indexOf('=') + 1))).as("the client calls' archive").isRegularFile();

        // -Xshare:on makes a JVM that cannot map the archive fail instead of running without it
        // (--version is a client call: acp-client.jar with the client calls' archive).
        Map<String, String> strict = new java.util.HashMap<>(env);
        strict.put("ACP_JAVA_OPTS", "-Xshare:on");
        Run archived = run(List.of(launcher.toString(), "--version"), strict);
        assertThat(archived.exit).as(archived.output).isZero();
        assertThat(archived.output).startsWith("acp ");

        // The node from the plain class path the archive was made for, through io.acp.cli.NodeMain:
        // it must map the archive (-Xshare:on), start every default service and answer a client call.
        String classPath = archiveConf.stream().filter(l -> l.startsWith("node_classpath=")).findFirst().orElseThrow()
                .substring("node_classpath=".length());
        assertThat(classPath.split(":")).as("the node's class path").hasSizeGreaterThan(100)
                .allSatisfy(entry -> assertThat(Path.of(entry)).isRegularFile().startsWith(app));
        Map<String, String> node = new java.util.HashMap<>(strict);
        node.putAll(Map.of("ACP_NODE_ID", "installed", "ACP_NODE_DATA_DIR", dest.resolve("data").toString(),
                "ACP_API_SOCKET", dest.resolve("api.sock").toString(), "ACP_API_PORT", "0", "ACP_AGENT_PORT", "0",
                "ACP_AGENT_JOIN_PORT", "0"));
        Path out = dest.resolve("node.out");
        Process nodeProcess = startNode(launcher, node, out);
        try {
            assertThat(commandLine(nodeProcess)).as("started from the node's class path").contains("io.acp.cli.NodeMain");
            Run status = run(List.of(launcher.toString(), "status"), node);
            assertThat(status.exit).as(status.output).isZero();
            assertThat(status.output).contains("installed");
        } finally {
            stop(nodeProcess);
        }
        assertThat(Files.readString(out)).as("a clean stop").contains("node installed stopped");

        // A build copied over the trained tree rewrites quarkus-application.dat: its jars may not be
        // the ones the class path names, so the node starts from quarkus-run.jar, without the archive.
        Files.setLastModifiedTime(app.resolve("quarkus/quarkus-application.dat"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        node.remove("ACP_JAVA_OPTS");
        Process rebuilt = startNode(launcher, node, out);
        try {
            assertThat(commandLine(rebuilt)).as("a stale archive: the runner").contains("quarkus-run.jar")
                    .doesNotContain("io.acp.cli.NodeMain").doesNotContain("SharedArchiveFile").doesNotContain("AOTCache");
        } finally {
            stop(rebuilt);
        }
    }

    /** Starts {@code acp node run} through the launcher and waits for its ready line. */
    private static Process startNode(Path launcher, Map<String, String> env, Path out) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "node", "run").redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(out).contains("node installed listening on") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        String output = Files.readString(out);
        if (!output.contains("node installed listening on") || output.contains("ERROR")) {
            stop(p);
            throw new AssertionError("the installed node did not start cleanly:\n" + output);
        }
        return p;
    }

    /** The process's command line, its arguments separated by spaces. */
    private static String commandLine(Process p) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private Run install(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("scripts/install").toString());
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    private Run run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile("install-it-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(cmd + " did not finish within 120 s:\n" + Files.readString(out));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private record Run(int exit, String output) {
    }
}
