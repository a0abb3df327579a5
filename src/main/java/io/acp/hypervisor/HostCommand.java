package io.acp.hypervisor;

import io.acp.node.HostProcess;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one of the host tools the hypervisor needs besides libvirt (qemu-img for overlays,
 * genisoimage for cloud-init seeds) through the node's one {@link HostProcess}, blocking the
 * worker thread that calls it. A tool that is not
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
        List<String> command = new ArrayList<>();
        command.add(path(nodeId, forWhat));
        command.addAll(args);
        HostProcess.Outcome outcome = HostProcess.run(command, Duration.ofSeconds(timeoutSeconds));
        if (outcome instanceof HostProcess.Outcome.Exited exited) {
            if (!exited.ok()) {
                throw new AcpException(ErrorCode.INTERNAL, "node " + nodeId + " could not " + forWhat + ": " + tool + " exited " + exited.code() + ": "
                        + (exited.err() + exited.out()).strip());
            }
            return;
        }
        if (outcome instanceof HostProcess.Outcome.NotStarted notStarted) {
            throw new AcpException(ErrorCode.INTERNAL, "node " + nodeId + " could not run " + tool + " to " + forWhat + ": " + notStarted.why());
        }
        if (outcome instanceof HostProcess.Outcome.TimedOut) {
            throw new AcpException(ErrorCode.TIMEOUT, tool + " did not finish within " + timeoutSeconds + " s on node " + nodeId + " and was killed");
        }
        throw new AcpException(ErrorCode.UNAVAILABLE, tool + " on node " + nodeId + " was interrupted (service stopping)");
    }
}
