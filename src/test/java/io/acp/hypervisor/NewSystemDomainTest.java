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
        Domain d = libvirt.domainLookupByName(id);
        try {
            assertThat(d.isPersistent()).as("defined, not only started").isEqualTo(1);
            assertThat(d.isActive()).isEqualTo(1);
        } finally {
            d.free();
        }
    }

    @Test
    void aRunningDomainOfTheNewSystemsNameIsTakenAsItIs() throws LibvirtException {
        String id = LibvirtNode.uniqueId("behind");
        Domain made = libvirt.domainDefineXML(behindAcpsBack(id));
        made.create();
        String uuid = made.getUUIDString();
        made.free();

        JsonNode report = node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);

        assertThat(report.path("state").asText()).isEqualTo("running");
        Domain d = libvirt.domainLookupByName(id);
        try {
            assertThat(d.getUUIDString()).as("the same domain, not one defined again").isEqualTo(uuid);
            assertThat(d.getInfo().memory).as("its definition untouched: still the 64 MiB it was made with, not the spec's").isEqualTo(65536);
        } finally {
            d.free();
        }
        assertThat(node.cdb.object(SystemReports.key(id))).as("the system's object").isPresent();
    }

    @Test
    void aStoppedDomainOfTheNewSystemsNameIsDefinedAgainUnderItsUuidAndStarted() throws LibvirtException {
        String id = LibvirtNode.uniqueId("stopped");
        Domain made = libvirt.domainDefineXML(behindAcpsBack(id));
        String uuid = made.getUUIDString();
        made.free();

        JsonNode report = node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);

        assertThat(report.path("state").asText()).isEqualTo("running");
        Domain d = libvirt.domainLookupByName(id);
        try {
            assertThat(d.getUUIDString()).isEqualTo(uuid);
            assertThat(d.getInfo().memory).as("defined again from the spec").isEqualTo(SystemLifecycleTest.spec().path("memory").asLong() * 1024);
        } finally {
            d.free();
        }
    }

    private static String behindAcpsBack(String name) {
        return "<domain type='test'><name>" + name + "</name><memory>65536</memory><os><type>hvm</type></os></domain>";
    }
}
