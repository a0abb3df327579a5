package io.acp.hypervisor.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * qemu's driver writes each running domain's pid to {@code <run dir>/<name>.pid}: /run/libvirt/qemu
 * for qemu:///system. Other drivers (test:, qemu:///session) have no VMM process we can supervise.
 */
final class QemuPidFiles {

    private QemuPidFiles() {
    }

    static OptionalLong vmmPid(String uri, String name) {
        if (!uri.startsWith("qemu") || !uri.endsWith("/system")) {
            return OptionalLong.empty();
        }
        try {
            String pid = Files.readString(Path.of("/run/libvirt/qemu", name + ".pid")).strip();
            return OptionalLong.of(Long.parseLong(pid));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
