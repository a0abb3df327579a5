package io.acp.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the qemu driver's pid files are, for each way of reaching a daemon. */
class QemuPidFilesTest {

    @Test
    void theSystemDaemonAndADaemonReachedByItsSocketHaveTheirOwnRunDirectories() {
        assertThat(QemuPidFiles.runDir("qemu:///system")).isEqualTo(Path.of("/run/libvirt/qemu"));
        assertThat(QemuPidFiles.runDir("qemu+unix:///system?socket=/var/lib/acp-libvirt/n2/run/libvirt-sock"))
                .isEqualTo(Path.of("/var/lib/acp-libvirt/n2/run/qemu"));
        assertThat(QemuPidFiles.runDir("test:///default")).isNull();
        assertThat(QemuPidFiles.runDir("qemu:///session")).isNull();
    }
}
