package io.acp.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code network delete} over a real (in-memory) CDB: refused while a running system has a NIC on the network. */
class NetworkDeleteInUseTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectKey LAN = ObjectKey.of(ObjectType.NETWORK, "lan");
    private static final ObjectKey WEB1 = ObjectKey.of(ObjectType.SYSTEM, "web1");

    @Test
    void aRunningSystemWithANicOnTheNetworkBlocksItsDeleteAndIsNamed() {
        Cdb cdb = Cdb.inMemory("n1");
        NetworkCatalog catalog = new NetworkCatalog(cdb);
        cdb.putObject(LAN, "vlan", Json.object().put("uplink", "eth0").put("vlan", 100), null).await().atMost(WAIT);
        cdb.putObject(WEB1, null, Json.object().put("vcpus", 1).put("memory", 128)
                .set("interfaces", Json.MAPPER.createArrayNode().add(Json.object().put("network", "lan"))), null).await().atMost(WAIT);
        cdb.putObject(ObjectKey.of(ObjectType.SYSTEM, "other"), null, Json.object().put("vcpus", 1).put("memory", 128), null).await().atMost(WAIT);
        cdb.merge(new MetaEntry(WEB1, "n2", Json.object().put("state", "running"), new Version(cdb.clock().now(), "n2")));

        assertThatThrownBy(() -> catalog.delete("lan"))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessage("network lan is in use: system web1 runs on node n2 with a NIC on it; stop the system or remove its NIC first");
        assertThat(cdb.object(LAN)).as("the network is still there").isPresent();

        cdb.merge(new MetaEntry(WEB1, "n2", Json.object().put("state", "stopped"), new Version(cdb.clock().now(), "n2")));
        assertThat(catalog.delete("lan").await().atMost(WAIT).path("deleted").asBoolean()).isTrue();
        assertThat(cdb.object(LAN)).isEmpty();
    }
}
