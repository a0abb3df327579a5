package io.acp.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.hypervisor.DomainStatus;
import io.acp.hypervisor.DomainXml;
import io.acp.hypervisor.SystemState;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * Steps on real QEMU domains where a start can fail after the define. A start QEMU refuses because
 * the guest's image cannot be opened is a refusal (libvirt words it as a system error, as it does a
 * broken socket), not a lost connection. A new system's one-step define and start
 * ({@link LibvirtBackend#defineAndStartIfAbsent}) takes its define back when the start fails, and the
 * stop that pulls the plug before it reads ({@link LibvirtBackend#destroyUnlessStopped}) reads a
 * stopped domain as stopped. The guests boot nothing (no disk that opens, no display, no ACPI:
 * SeaBIOS waits idle). Needs libvirtd on qemu:///system (scripts/libvirtd-up; scripts/test starts it).
 */
class QemuDomainStepsIT {

    private static final String URI = "qemu:///system";

    private final long pid = ProcessHandle.current().pid();
    private final List<String> names = new ArrayList<>();
    private Connect qemu;
    private LibvirtBackend backend;

    @BeforeEach
    void start() throws Exception {
        qemu = new Connect(URI);
        backend = new LibvirtBackend(URI, "steps-it");
        backend.connect((name, kind) -> {
        });
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
        for (String name : names) {
            run("virsh", "-c", URI, "destroy", name);
            run("virsh", "-c", URI, "undefine", name);
        }
        qemu.close();
    }

    @Test
    void aStartRefusedForAnImageThatCannotBeOpenedIsARefusalAndKeepsTheConnection() throws LibvirtException {
        String name = name("refused");
        backend.define(xml(name, missingImage()));
        org.libvirt.Connect before = backend.heldConnection();

        assertThatThrownBy(() -> backend.start(name))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).as("%s", e.getMessage()).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(e.getMessage()).contains("refused to start domain " + name, "missing-" + pid + ".img");
                });

        assertThat(backend.heldConnection()).as("the connection, not dropped and opened again").isSameAs(before);
        assertThat(backend.status(name)).map(DomainStatus::state).contains(SystemState.STOPPED);
    }

    /** A disk whose image is not there: the define takes any path; the start has QEMU open it. */
    private String missingImage() {
        return "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                + "<source file='/var/lib/acp/missing-" + pid + ".img'/><target dev='vda' bus='virtio'/></disk>";
    }

    @Test
    void aStartThatFailsAfterTheDefineLeavesNoDomain() {
        String name = name("fails");
        String xml = xml(name, missingImage());

        assertThatThrownBy(() -> backend.defineAndStartIfAbsent(name, xml, true))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(e.getMessage()).contains("refused to start domain " + name);
                });

        assertThat(lookUpFailure(name)).as("the domain after its failed start").isEqualTo(ErrorNumber.VIR_ERR_NO_DOMAIN);
    }

    @Test
    void aNewDomainIsDefinedStartedAndReadThenStoppedAndAStopAgainReadsItStopped() throws LibvirtException {
        String name = name("fresh");

        Optional<DomainStatus> started = backend.defineAndStartIfAbsent(name, xml(name, ""), true);

        assertThat(started).map(DomainStatus::state).contains(SystemState.RUNNING);
        Domain d = qemu.domainLookupByName(name);
        try {
            assertThat(d.isPersistent()).as("defined, not only started").isEqualTo(1);
            assertThat(d.getAutostart()).isTrue();
        } finally {
            d.free();
        }

        assertThat(backend.destroyUnlessStopped(name)).map(DomainStatus::state).contains(SystemState.STOPPED);
        assertThat(backend.destroyUnlessStopped(name)).as("a stop of a stopped domain: libvirt refuses the destroy, the read says stopped")
                .map(DomainStatus::state).contains(SystemState.STOPPED);
    }

    @Test
    void aDomainOfTheNameIsLeftAsItIs() throws LibvirtException {
        String name = name("there");
        Domain made = qemu.domainDefineXML(xml(name, ""));
        String uuid = made.getUUIDString();
        made.free();

        assertThat(backend.defineAndStartIfAbsent(name, xml(name, ""), true)).as("a domain of the name exists").isEmpty();

        Domain d = qemu.domainLookupByName(name);
        try {
            assertThat(d.getUUIDString()).isEqualTo(uuid);
            assertThat(d.isActive()).as("not started").isZero();
            assertThat(d.getAutostart()).as("its autostart untouched").isFalse();
        } finally {
            d.free();
        }
    }

    private String name(String what) {
        String name = "acp-steps-it-" + pid + "-" + what;
        names.add(name);
        return name;
    }

    private static String xml(String name, String devices) {
        return "<domain type='" + DomainXml.typeFor(URI) + "'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>" + devices + "</devices></domain>";
    }

    private ErrorNumber lookUpFailure(String name) {
        try {
            qemu.domainLookupByName(name).free();
            return null;
        } catch (LibvirtException e) {
            return e.getError().getCode();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
