package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A running system's VMM as a unit of its own, where the VMM is a process of this node (qemu): its
 * process id, its resource group (the cgroup the kernel reports in {@code /proc/<pid>/cgroup}) and
 * its state ({@code running}; {@code unresponsive} while it does not answer its monitor, a VMM
 * stopped or stuck on its storage; {@code crashed} once it ended without being asked to). Published
 * in the system's meta as {@code "vmm": {"pid", "cgroup", "state"}}.
 */
public record Vmm(long pid, String cgroup, String state) {

    static final String RUNNING = "running";
    static final String CRASHED = "crashed";
    static final String UNRESPONSIVE = "unresponsive";

    /** The VMM process {@code pid} as /proc shows it now; empty if there is no such process. */
    static Optional<Vmm> of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            return Optional.of(new Vmm(pid, cgroup(Files.readAllLines(proc.resolve("cgroup"))), RUNNING));
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /**
     * The VM's resource group from /proc/PID/cgroup lines: the unified hierarchy's path ({@code 0::})
     * without libvirt's {@code /emulator} leaf, else the memory controller's; "/" if the process has none.
     */
    static String cgroup(List<String> lines) {
        String unified = null;
        String memory = null;
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                unified = parts[2];
            } else if (List.of(parts[1].split(",")).contains("memory")) {
                memory = parts[2];
            }
        }
        String path = unified != null && !unified.equals("/") ? unified : memory != null ? memory : "/";
        return path.endsWith("/emulator") ? path.substring(0, path.length() - "/emulator".length()) : path;
    }

    boolean alive() {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    Vmm unresponsive() {
        return new Vmm(pid, cgroup, UNRESPONSIVE);
    }

    Vmm crashed() {
        return new Vmm(pid, cgroup, CRASHED);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("pid", pid);
        o.put("cgroup", cgroup);
        o.put("state", state);
        return o;
    }
}
