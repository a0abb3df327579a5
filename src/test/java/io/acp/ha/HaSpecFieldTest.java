package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.hypervisor.SystemSpec;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import org.junit.jupiter.api.Test;

/** The {@code ha} field of a system spec: kept through the stored form, absent when false, a flag only. */
class HaSpecFieldTest {

    private static ObjectNode spec() {
        ObjectNode s = Json.object();
        s.put("vcpus", 1).put("memory", 64);
        return s;
    }

    @Test
    void haTrueSurvivesTheStoredFormAndAReassignment() {
        SystemSpec parsed = SystemSpec.parse("web", spec().put("ha", true));
        assertThat(parsed.ha()).isTrue();
        assertThat(parsed.toJson().path("ha").asBoolean()).isTrue();
        assertThat(parsed.withNode("n2").toJson().path("ha").asBoolean()).isTrue();
        assertThat(SystemSpec.parse("web", parsed.toJson()).ha()).isTrue();
    }

    @Test
    void aSystemIsNotHaUnlessItSaysSo() {
        SystemSpec parsed = SystemSpec.parse("web", spec());
        assertThat(parsed.ha()).isFalse();
        assertThat(parsed.toJson().has("ha")).isFalse();
    }

    @Test
    void haIsAFlag() {
        assertThatThrownBy(() -> SystemSpec.parse("web", spec().put("ha", "yes"))).isInstanceOf(AcpException.class).hasMessageContaining("ha");
    }
}
