package io.acp.network;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for one test, with names unique to it ({@code acpnt-<tag>-<role>}), so tests
 * of other worktrees on the same machine never meet them. {@link #close()} deletes every namespace
 * it made (and with them every link inside); a shutdown hook does the same if the JVM ends first.
 */
public final class NetLab implements AutoCloseable {

    private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final List<String> namespaces = new ArrayList<>();
    private final Thread cleanup = new Thread(this::deleteAll, "netlab-cleanup");

    public NetLab() {
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Creates namespace {@code role} of this lab (lo up) and answers its name. */
    public String namespace(String role) {
        String ns = "acpnt-" + tag + "-" + role;
        sh("ip", "netns", "add", ns);
        namespaces.add(ns);
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A wire: a veth pair with end {@code a} in {@code nsA} and end {@code b} in {@code nsB}, both up. */
    public void wire(String nsA, String a, String nsB, String b) {
        sh("ip", "link", "add", a, "netns", nsA, "type", "veth", "peer", "name", b, "netns", nsB);
        sh("ip", "-n", nsA, "link", "set", a, "up");
        sh("ip", "-n", nsB, "link", "set", b, "up");
    }

    /** A guest: namespace {@code role} whose eth0 (address {@code cidr}) is wired to {@code port} in {@code nodeNs}. */
    public String guest(String role, String nodeNs, String port, String cidr) {
        String g = namespace(role);
        wire(nodeNs, port, g, "eth0");
        sh("ip", "-n", g, "addr", "add", cidr, "dev", "eth0");
        return g;
    }

    /** Pings {@code address} from {@code ns}: true if every one of {@code count} answers came back. */
    public boolean ping(String ns, String address, int count) {
        return run(List.of("ip", "netns", "exec", ns, "ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", address)).exit == 0;
    }

    /** Runs a command that must succeed; answers its output. */
    public static String sh(String... cmd) {
        Result r = run(List.of(cmd));
        if (r.exit != 0) {
            fail(String.join(" ", cmd) + " exited with " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    /** Runs a command; answers its exit code and output (stdout and stderr). */
    public static Result run(List<String> cmd) {
        try {
            File out = File.createTempFile("netlab-", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).redirectInput(new File("/dev/null")).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", cmd) + " did not finish within 30 s");
                }
                return new Result(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8));
            } finally {
                out.delete();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Result(int exit, String output) {
    }

    /** True when this kernel can make 802.1Q VLAN devices (CONFIG_VLAN_8021Q); some test kernels cannot. */
    public boolean kernelHasVlans() {
        String ns = namespace("probe");
        sh("ip", "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
        return run(List.of("ip", "-n", ns, "link", "add", "link", "p0", "name", "p0.7", "type", "vlan", "id", "7")).exit == 0;
    }

    private void deleteAll() {
        for (String ns : namespaces) {
            run(List.of("ip", "netns", "del", ns));
        }
        namespaces.clear();
    }

    @Override
    public void close() {
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
