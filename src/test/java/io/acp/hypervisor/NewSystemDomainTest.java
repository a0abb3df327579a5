package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * A new system's domain is defined and started in one step, without looking it up first; a domain
 * of its name that exists already (made behind ACP's back) is taken as it is, as before.
 */
class NewSystemDomainTest {

    private LibvirtNode node;
    /** The driver's state as virsh on the node would see it: test:///default is one state per process. */
    private Connect libvirt;

    @BeforeEach
    void start() throws LibvirtException {
        node = LibvirtNode.start();
        libvirt = new Connect("test:///default");
    }

    @AfterEach
    void stop() throws LibvirtException {
        libvirt.close();
        node.close();
    }

    @Test
    void aNewSystemIsDefinedAndStartedWithoutALookUp() throws LibvirtException {
        String id = LibvirtNode.uniqueId("fresh");
        node.backend.get().statusReads.set(0);

        JsonNode report = node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);

        assertThat(report.path("state").asText()).isEqualTo("running");
        assertThat(node.backend.get().statusReads.get()).as("domains looked up by name for a new system's create").isZero();
        Seen d = seen(id);
        assertThat(d.persistent()).as("defined, not only started").isTrue();
        assertThat(d.active()).isTrue();
    }

    @Test
    void aRunningDomainOfTheNewSystemsNameIsTakenAsItIs() throws LibvirtException {
        String id = LibvirtNode.uniqueId("behind");
        String uuid = madeBehindAcpsBack(id, true);

        Seen d = createdRunning(id);
        assertThat(d.uuid()).as("the same domain, not one defined again").isEqualTo(uuid);
        assertThat(d.memoryKiB()).as("its definition untouched: still the 64 MiB it was made with, not the spec's").isEqualTo(65536);
        assertThat(node.cdb.object(SystemReports.key(id))).as("the system's object").isPresent();
    }

    @Test
    void aStoppedDomainOfTheNewSystemsNameIsDefinedAgainUnderItsUuidAndStarted() throws LibvirtException {
        String id = LibvirtNode.uniqueId("stopped");
        String uuid = madeBehindAcpsBack(id, false);

        Seen d = createdRunning(id);
        assertThat(d.uuid()).isEqualTo(uuid);
        assertThat(d.memoryKiB()).as("defined again from the spec").isEqualTo(SystemLifecycleTest.spec().path("memory").asLong() * 1024);
    }

    /** Defines (and starts, if {@code running}) a 64 MiB domain {@code name} as virsh would; its uuid. */
    private String madeBehindAcpsBack(String name, boolean running) throws LibvirtException {
        Domain made = libvirt.domainDefineXML("<domain type='test'><name>" + name + "</name><memory>65536</memory><os><type>hvm</type></os></domain>");
        try {
            if (running) {
                made.create();
            }
            return made.getUUIDString();
        } finally {
            made.free();
        }
    }

    /** Creates system {@code id} through ACP, which must answer it running; what libvirt then holds. */
    private Seen createdRunning(String id) throws LibvirtException {
        JsonNode report = node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);
        assertThat(report.path("state").asText()).isEqualTo("running");
        return seen(id);
    }

    /** What libvirt holds of domain {@code name} now. */
    private record Seen(String uuid, long memoryKiB, boolean persistent, boolean active) {
    }

    private Seen seen(String name) throws LibvirtException {
        Domain d = libvirt.domainLookupByName(name);
        try {
            return new Seen(d.getUUIDString(), d.getInfo().memory, d.isPersistent() == 1, d.isActive() == 1);
        } finally {
            d.free();
        }
    }
}
