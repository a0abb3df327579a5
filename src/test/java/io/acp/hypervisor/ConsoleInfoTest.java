package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/** console-info: read from real libvirt's live XML (test driver), and from the XML qemu's driver writes (pty paths, chosen ports). */
class ConsoleInfoTest {

    @Test
    void aRunningSystemHasASerialConsoleAndALoopbackDisplay() {
        String id = LibvirtNode.uniqueId("console");
        try (LibvirtNode node = LibvirtNode.start()) {
            node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);

            JsonNode info = node.systems().consoleInfo(id).await().atMost(LibvirtNode.WAIT);

            assertThat(info.path("node").asText()).isEqualTo(LibvirtNode.NODE);
            assertThat(info.path("consoles")).anySatisfy(c -> {
                assertThat(c.path("kind").asText()).isEqualTo("graphics");
                assertThat(c.path("type").asText()).isEqualTo("vnc");
                assertThat(c.path("host").asText()).isEqualTo("127.0.0.1");
            });
            assertThat(info.path("consoles")).anySatisfy(c -> {
                assertThat(c.path("kind").asText()).isEqualTo("serial");
                assertThat(c.path("type").asText()).isEqualTo("pty");
            });

            node.systems().stop(id).await().atMost(LibvirtNode.WAIT);
            assertThatThrownBy(() -> node.systems().consoleInfo(id).await().atMost(LibvirtNode.WAIT))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("system " + id + " is not running on node n1");
                    });
            node.systems().delete(id).await().atMost(LibvirtNode.WAIT);
        }
    }

    @Test
    void qemuLiveXmlGivesThePtyPathAndTheChosenPort() {
        String xml = """
                <domain type='kvm' id='3'>
                  <devices>
                    <serial type='pty'>
                      <source path='/dev/pts/7'/>
                      <target type='isa-serial' port='0'/>
                    </serial>
                    <graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'>
                      <listen type='address' address='127.0.0.1'/>
                    </graphics>
                  </devices>
                </domain>""";

        JsonNode consoles = ConsoleXml.consoles(xml);

        assertThat(consoles).hasSize(2);
        assertThat(consoles.get(0).path("port").asInt()).isEqualTo(5901);
        assertThat(consoles.get(0).path("host").asText()).isEqualTo("127.0.0.1");
        assertThat(consoles.get(1).path("path").asText()).isEqualTo("/dev/pts/7");
        assertThat(ConsoleXml.consoles("<domain><devices></devices></domain>")).isEmpty();
    }
}
