package io.acp.hypervisor.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * qemu's driver writes each running domain's pid to {@code <run dir>/<name>.pid}: /run/libvirt/qemu
 * for qemu:///system, {@code <dir>/qemu} for a daemon reached by {@code qemu+unix:///system?socket=<dir>/libvirt-sock}
 * (a libvirtd whose /run/libvirt is {@code <dir>}, as scripts/libvirtd-up's nodes). Other drivers
 * (test:, qemu:///session) have no VMM process we can supervise.
 */
final class QemuPidFiles {

    private QemuPidFiles() {
    }

    static OptionalLong vmmPid(String uri, String name) {
        Path runDir = runDir(uri);
        if (runDir == null) {
            return OptionalLong.empty();
        }
        try {
            String pid = Files.readString(runDir.resolve(name + ".pid")).strip();
            return OptionalLong.of(Long.parseLong(pid));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The resident memory of process {@code pid} in KiB ({@code VmRSS} of /proc/PID/status: the
     * counter libvirt reports as a domain's {@code rss}); empty if the process is gone.
     */
    static OptionalLong residentKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip()));
                }
            }
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The qemu driver's run directory for {@code uri}, or null where there is none to read. */
    static Path runDir(String uri) {
        java.util.regex.Matcher socket = SOCKET.matcher(uri);
        if (uri.startsWith("qemu+unix:///system") && socket.find()) {
            return Path.of(socket.group(1)).resolveSibling("qemu");
        }
        return uri.startsWith("qemu") && uri.endsWith("/system") ? Path.of("/run/libvirt/qemu") : null;
    }

    private static final java.util.regex.Pattern SOCKET = java.util.regex.Pattern.compile("[?&]socket=([^&]+)");
}
