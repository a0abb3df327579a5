package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The service's lifecycle around its namespace: a configured one that is missing is created (what scripts/dev relies on). */
@Timeout(60)
class NetworkServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aMissingNamespaceIsCreatedAndNetworksWithoutUplinksThereFailClearly() throws Exception {
        String ns = "acpnt-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)) + "-dev";
        Cdb cdb = Cdb.inMemory("dev1");
        NetworkConfig config = TestConfig.of(Map.of("acp.network.namespace", ns, "acp.network.reconcile-interval", "500ms"),
                NetworkConfig.class).mapping(NetworkConfig.class);
        NetworkService service = new NetworkService(config, "dev1", () -> cdb);
        try {
            service.start(null).await().atMost(WAIT);
            assertThat(NetLab.sh("ip", "netns", "list")).contains(ns);
            ObjectKey self = new ObjectKey(ObjectType.SERVICE, "dev1:network");
            assertThat(cdb.meta(self, "dev1")).singleElement().satisfies(m -> {
                assertThat(m.values().path("namespace").asText()).isEqualTo(ns);
                assertThat(m.values().path("nics").isEmpty()).as("an empty namespace has only lo").isTrue();
                assertThat(m.values().path("uplinks").isEmpty()).isTrue();
            });

            cdb.putObject(new ObjectKey(ObjectType.NETWORK, "lan"), "vlan", Json.object().put("uplink", "eth0").put("vlan", 10), null)
                    .await().atMost(WAIT);
            Eventually.await(WAIT, () -> cdb.meta(new ObjectKey(ObjectType.NETWORK, "lan"), "dev1").stream()
                    .anyMatch(m -> m.values().path("problem").asText().equals("uplink eth0 is not an uplink of node dev1; it has none")),
                    () -> "lan failed for want of an uplink: " + cdb.meta(new ObjectKey(ObjectType.NETWORK, "lan"), "dev1"));
            assertThat(TwoNodeNetworks.links(ns)).extracting(Link::name).containsExactly("lo");
            assertThatThrownBy(() -> service.attach("lan", "lo", Optional.empty()).await().atMost(WAIT))
                    .hasMessageContaining("network lan is not up on node dev1: uplink eth0 is not an uplink");
        } finally {
            service.stop().await().atMost(WAIT);
            NetLab.run(List.of("ip", "netns", "del", ns));
        }
        assertThatThrownBy(() -> service.reconcileNow().await().atMost(WAIT)).hasMessage("network service on node dev1 is not running");
    }
}
