package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.ObjectEntry;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A system's NICs keep their MACs: libvirt gives an interface defined without one a random MAC,
 * and a new one each time the domain is defined again from the spec (every start of a stopped
 * system), so a guest would see new NICs and ask DHCP for new addresses at every start. On real
 * libvirt (test:///default).
 */
class SystemMacsTest {

    private LibvirtNode node;
    private final String id = LibvirtNode.uniqueId("macs");

    @BeforeEach
    void start() {
        node = LibvirtNode.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static ObjectNode specWithoutMac() {
        return SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"disks\":[{\"path\":\"/var/lib/acp/macs.img\"}],"
                + "\"interfaces\":[{\"bridge\":\"acpbr0\"}]}");
    }

    /** The MACs of the domain's interfaces as libvirt has them defined. */
    private List<String> domainMacs() {
        return DomainXml.interfaceMacs(node.backend.get().real.xml(id).orElseThrow());
    }

    private JsonNode storedInterfaces() {
        return node.cdb.object(SystemReports.key(id)).orElseThrow().spec().path("interfaces");
    }

    private void stopAndStart() {
        node.systems().stop(id).await().atMost(LibvirtNode.WAIT);
        node.systems().start(id).await().atMost(LibvirtNode.WAIT);
    }

    @Test
    void aSystemCreatedWithoutAMacIsGivenOneInItsSpecAndKeepsItAcrossStarts() {
        node.systems().create(id, specWithoutMac()).await().atMost(LibvirtNode.WAIT);
        String given = storedInterfaces().path(0).path("mac").asText("");
        assertThat(given).as("the MAC stored in the spec").matches("52:54:00(:[0-9a-f]{2}){3}");
        assertThat(domainMacs()).containsExactly(given);

        stopAndStart();
        stopAndStart();

        assertThat(domainMacs()).as("the domain's MAC after two starts").containsExactly(given);
        assertThat(storedInterfaces().path(0).path("mac").asText()).isEqualTo(given);
    }

    /** A system stored before MACs were given at create (its spec names none) keeps its domain's MAC when the domain is defined again. */
    @Test
    void aSystemStoredWithoutMacsKeepsItsDomainsMacAtEveryStart() {
        node.systems().create(id, specWithoutMac()).await().atMost(LibvirtNode.WAIT);
        ObjectEntry stored = node.cdb.object(SystemReports.key(id)).orElseThrow();
        ObjectNode legacy = stored.spec().deepCopy();
        ((ObjectNode) legacy.path("interfaces").path(0)).remove("mac");
        node.cdb.writer().putObject(SystemReports.key(id), stored.subtype(), legacy, stored.version()).await().atMost(LibvirtNode.WAIT);
        List<String> before = domainMacs();

        stopAndStart();
        stopAndStart();

        assertThat(domainMacs()).as("the domain's MAC, defined again from a spec without one").isEqualTo(before);
    }

    @Test
    void anInterfaceAddedWithoutAMacIsGivenOneThatItsDomainKeeps() {
        node.systems().create(id, specWithoutMac()).await().atMost(LibvirtNode.WAIT);
        node.systems().stop(id).await().atMost(LibvirtNode.WAIT);
        JsonNode first = storedInterfaces().path(0);
        ObjectNode changes = SystemLifecycleTest.json("{}");
        changes.putArray("interfaces").add(first).addObject().put("bridge", "acpbr0");

        node.systems().set(id, changes).await().atMost(LibvirtNode.WAIT);
        node.systems().start(id).await().atMost(LibvirtNode.WAIT);

        String added = storedInterfaces().path(1).path("mac").asText("");
        assertThat(added).as("the added interface's MAC in the spec").matches("52:54:00(:[0-9a-f]{2}){3}");
        assertThat(domainMacs()).containsExactly(first.path("mac").asText(), added);
        stopAndStart();
        assertThat(domainMacs()).containsExactly(first.path("mac").asText(), added);
    }
}
