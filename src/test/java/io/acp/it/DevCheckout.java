package io.acp.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in checkout for the developer scripts: scripts/dev, scripts/acp and packaging/acp copied
 * into a temporary directory whose {@code target} links to the packaged app. The scripts keep their
 * state beside themselves ({@code .acp-dev/}), so a test's dev nodes never meet a developer's own.
 */
final class DevCheckout implements AutoCloseable {

    private final Path root;

    private DevCheckout(Path root) {
        this.root = root;
    }

    static DevCheckout in(Path dir) throws IOException {
        Path project = Path.of("").toAbsolutePath();
        for (String file : List.of("scripts/dev", "scripts/acp", "packaging/acp")) {
            Path to = dir.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(project.resolve(file), to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createSymbolicLink(dir.resolve("target"), AcpApp.APP_DIR.toAbsolutePath().getParent());
        return new DevCheckout(dir);
    }

    /** Removes the link to the packaged app, so deleting the directory never follows it. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(root.resolve("target"));
    }

    Path root() {
        return root;
    }

    /** A dev node name no other test or developer uses: namespaces are machine-wide. */
    static String uniqueName(String prefix) {
        return prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    /** Four consecutive loopback ports free right now (scripts/dev uses BASE..BASE+3), below the ephemeral range. */
    static int freePortBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20000 + ThreadLocalRandom.current().nextInt(1000) * 10;
            if (free(base) && free(base + 1) && free(base + 2) && free(base + 3)) {
                return base;
            }
        }
        fail("no four free consecutive ports found between 20000 and 30000");
        return -1;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a command line through bash in this checkout (exactly as a developer types it), bounded,
     * with {@code env} added to the environment.
     */
    AcpApp.CliResult shell(String commandLine, Map<String, String> env, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(root, "sh-", ".out");
        Path err = Files.createTempFile(root, "sh-", ".err");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", commandLine).directory(root.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("ACP_"));
        builder.environment().putAll(env);
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                fail("'" + commandLine + "' did not finish within " + timeoutSeconds + " s; stderr:\n" + Files.readString(err));
            }
            return new AcpApp.CliResult(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Lines of {@code ss -ltnupH} (TCP and UDP listeners with their processes), in the host's namespace or in {@code namespace}. */
    static List<String> listeners(String namespace) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.addAll(List.of("ss", "-ltnupH"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + text);
        }
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    static boolean namespaceExists(String namespace) {
        return Files.exists(Path.of("/run/netns", namespace));
    }
}
