package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A VMM unit read from the real /proc, and the resource group from either cgroup layout. */
class VmmTest {

    @Test
    void aLiveProcessIsReadFromProc() {
        long self = ProcessHandle.current().pid();

        Vmm vmm = Vmm.of(self).orElseThrow();

        assertThat(vmm.pid()).isEqualTo(self);
        assertThat(vmm.state()).isEqualTo("running");
        assertThat(vmm.cgroup()).startsWith("/");
        assertThat(vmm.alive()).isTrue();
        assertThat(vmm.crashed().state()).isEqualTo("crashed");
    }

    @Test
    void aProcessThatIsGoneHasNoUnit() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();

        assertThat(Vmm.of(p.pid())).isEmpty();
    }

    @Test
    void theVmGroupComesFromTheUnifiedHierarchyOrTheMemoryController() {
        // cgroup v1 beside a unified hierarchy, as libvirt places qemu on this kind of machine
        assertThat(Vmm.cgroup(List.of("9:name=systemd:/", "4:memory:/machine/qemu-1-web1.libvirt-qemu",
                "0::/machine/qemu-1-web1.libvirt-qemu/emulator"))).isEqualTo("/machine/qemu-1-web1.libvirt-qemu");
        // cgroup v2 only
        assertThat(Vmm.cgroup(List.of("0::/machine.slice/machine-qemu\\x2d1\\x2dweb1.scope/libvirt/emulator")))
                .isEqualTo("/machine.slice/machine-qemu\\x2d1\\x2dweb1.scope/libvirt");
        // v1 only, the unified one empty
        assertThat(Vmm.cgroup(List.of("4:memory,foo:/machine/web1", "0::/"))).isEqualTo("/machine/web1");
        assertThat(Vmm.cgroup(List.of())).isEqualTo("/");
    }
}
