package io.acp.hypervisor;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the host tools the hypervisor needs besides libvirt (qemu-img for overlays,
 * genisoimage for cloud-init seeds), blocking the worker thread that calls it. A tool that is not
 * installed is named with the Debian package that has it.
 */
record HostCommand(String tool, String debianPackage) {

    static final HostCommand QEMU_IMG = new HostCommand("qemu-img", "qemu-utils");
    static final HostCommand GENISOIMAGE = new HostCommand("genisoimage", "genisoimage");

    private static final long TIMEOUT_SECONDS = 120;
    /** For commands that copy whole disks (a restore's qemu-img convert): long, yet never forever. */
    static final long LONG_TIMEOUT_SECONDS = 6 * 3600;

    /** The tool's path; UNAVAILABLE naming the tool, the package and the node if it is missing. */
    String path(String nodeId, String forWhat) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId + " cannot " + forWhat + ": " + tool + " is not installed (Debian package "
                + debianPackage + ": apt-get install " + debianPackage + ")");
    }

    /** Runs the tool with {@code args}; INTERNAL with what it printed unless it exits 0 within two minutes. */
    void run(String nodeId, String forWhat, List<String> args) {
        run(nodeId, forWhat, args, TIMEOUT_SECONDS);
    }

    /** As {@link #run(String, String, List)}, killed after {@code timeoutSeconds}. */
    void run(String nodeId, String forWhat, List<String> args, long timeoutSeconds) {
        List<String> command = new java.util.ArrayList<>();
        command.add(path(nodeId, forWhat));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes(); // ends when the tool closes its output, at exit at the latest
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AcpException(ErrorCode.TIMEOUT, tool + " did not finish within " + timeoutSeconds + " s on node " + nodeId + " and was killed");
            }
            if (p.exitValue() != 0) {
                throw new AcpException(ErrorCode.INTERNAL, "node " + nodeId + " could not " + forWhat + ": " + tool + " exited " + p.exitValue() + ": "
                        + new String(out, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new AcpException(ErrorCode.INTERNAL, "node " + nodeId + " could not run " + tool + " to " + forWhat + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcpException(ErrorCode.UNAVAILABLE, tool + " on node " + nodeId + " was interrupted (service stopping)");
        }
    }
}
