package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.ClusterConfig;
import io.acp.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The acp.cluster.sync.* keys through SmallRye Config with Quarkus' duration format, as the node reads them. */
class SyncSettingsTest {

    private static ClusterConfig.Sync config(Map<String, String> props) {
        return TestConfig.of(props, ClusterConfig.class).mapping(ClusterConfig.class).sync();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        SyncSettings s = SyncSettings.from(config(Map.of("acp.cluster.sync.secret", "0123456789abcdef0123")));
        assertThat(s.mode()).isEqualTo(SyncSettings.Mode.MULTICAST);
        assertThat(s.group()).isEqualTo("239.192.77.1");
        assertThat(s.port()).isEqualTo(7447);
        assertThat(s.ttl()).isEqualTo(1);
        assertThat(s.flushInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(s.maxLinger()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.maxPendingDeltas()).isEqualTo(4096);
        assertThat(s.deadAfter()).isEqualTo(Duration.ofSeconds(6));
        assertThat(s.toString()).doesNotContain("0123456789abcdef0123");
    }

    @Test
    void unicastModeReadsThePeerList() {
        SyncSettings s = SyncSettings.from(config(Map.of(
                "acp.cluster.sync.secret", "0123456789abcdef0123",
                "acp.cluster.sync.mode", "unicast",
                "acp.cluster.sync.peers", "10.0.0.1:7447,10.0.0.2:7447")));
        assertThat(s.mode()).isEqualTo(SyncSettings.Mode.UNICAST);
        assertThat(s.peers()).isEqualTo(List.of("10.0.0.1:7447", "10.0.0.2:7447"));
    }

    @Test
    void aMissingSecretOrUnknownModeIsRefusedWithTheKeyToSet() {
        assertThatThrownBy(() -> SyncSettings.from(config(Map.of()))).hasMessageContaining("acp.cluster.sync.secret");
        assertThatThrownBy(() -> SyncSettings.from(config(Map.of("acp.cluster.sync.secret", "0123456789abcdef0123", "acp.cluster.sync.mode", "carrier-pigeon"))))
                .hasMessageContaining("acp.cluster.sync.mode");
    }
}
