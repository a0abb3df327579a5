package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SystemSpecTest {

    @Test
    void fillsDefaultsAndRoundTrips() {
        SystemSpec spec = SystemSpec.parse("s1", SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"disks\":[{\"path\":\"/a.img\"},{\"path\":\"/b.img\",\"bus\":\"sata\"}]}"));

        assertThat(spec.boot()).containsExactly("hd");
        assertThat(spec.disks().get(0).format()).isEqualTo("raw");
        assertThat(spec.diskTargets()).containsExactly("vda", "sda");
        assertThat(SystemSpec.parse("s1", spec.toJson())).isEqualTo(spec);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "{\"memory\":64}                                            | 'vcpus' is required",
        "{\"vcpus\":1}                                              | 'memory' is required",
        "{\"vcpus\":1.5,\"memory\":64}                              | 'vcpus' must be an integer",
        "{\"vcpus\":1,\"memory\":8}                                 | 'memory' must be an integer from 16",
        "{\"vcpus\":1,\"memory\":64,\"cpus\":2}                     | 'cpus' is not a field",
        "{\"vcpus\":1,\"memory\":64,\"disks\":{}}                   | 'disks' must be an array",
        "{\"vcpus\":1,\"memory\":64,\"disks\":[{\"path\":\"a\"}]}   | 'disks[0].path' must be an absolute path",
        "{\"vcpus\":1,\"memory\":64,\"disks\":[{\"path\":\"/a\",\"bus\":\"usb\"}]} | 'disks[0].bus' must be one of",
        "{\"vcpus\":1,\"memory\":64,\"interfaces\":[{}]}            | 'interfaces[0].network' give exactly one",
        "{\"vcpus\":1,\"memory\":64,\"interfaces\":[{\"network\":\"n\",\"mac\":\"zz:54:00:12:34:56\"}]} | 'interfaces[0].mac' must look like",
        "{\"vcpus\":1,\"memory\":64,\"boot\":[\"floppy\"]}          | 'boot' entries must be one of",
        "{\"vcpus\":1,\"memory\":64,\"boot\":[\"hd\",\"hd\"]}       | 'boot' names \"hd\" twice",
        "{\"vcpus\":1,\"memory\":64,\"autostart\":\"yes\"}          | 'autostart' must be true or false",
        "{\"vcpus\":1,\"memory\":64,\"node\":\"a b\"}               | 'node' must be a node id",
        "{\"vcpus\":1,\"memory\":64,\"name\":\"a\\u0001\"}          | 'name' must not contain control characters",
    })
    void rejectsBadSpecsNamingTheField(String json, String message) {
        assertThatThrownBy(() -> SystemSpec.parse("s1", SystemLifecycleTest.json(json)))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).startsWith("system s1: field ").contains(message);
                });
    }

    @Test
    void domainXmlEscapesWhatPeopleTyped() {
        SystemSpec spec = SystemSpec.parse("s1", SystemLifecycleTest.json(
                "{\"name\":\"<web> & 'db'\",\"vcpus\":2,\"memory\":128,\"interfaces\":[{\"bridge\":\"br0\"}],\"boot\":[\"network\",\"hd\"]}"));

        String xml = DomainXml.of(spec, "kvm");

        assertThat(xml).contains("<domain type='kvm'>", "<name>s1</name>", "<title>&lt;web&gt; &amp; &apos;db&apos;</title>",
                "<memory unit='MiB'>128</memory>", "<vcpu>2</vcpu>", "<source bridge='br0'/>");
        assertThat(xml.indexOf("<boot dev='network'/>")).isLessThan(xml.indexOf("<boot dev='hd'/>"));
        assertThat(xml).as("the guest agent's port, on qemu").contains("<target type='virtio' name='org.qemu.guest_agent.0'/>");
        assertThat(DomainXml.of(spec, "test")).as("the test driver has no guest agent").doesNotContain("guest_agent");
        assertThat(DomainXml.typeFor("test:///default")).isEqualTo("test");
        assertThat(DomainXml.typeFor("qemu:///system")).isEqualTo("kvm");
        assertThat(DomainXml.typeFor("qemu:///system", "tcg")).isEqualTo("qemu");
        assertThat(DomainXml.typeFor("qemu:///system", "kvm")).isEqualTo("kvm");
        assertThat(DomainXml.typeFor("test:///default", "tcg")).isEqualTo("test");
        assertThatThrownBy(() -> DomainXml.typeFor("qemu:///system", "hvf")).hasMessageContaining("auto, kvm or tcg");
    }
}
