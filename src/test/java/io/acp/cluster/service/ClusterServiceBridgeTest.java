package io.acp.cluster.service;

import io.acp.cluster.ClusterConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.node.NodeConfig;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.TestConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two single-node clusters, each with its own CA, configured through SmallRye Config with the
 * bridge on: a write on one reaches the other over the TLS link, both ways.
 */
class ClusterServiceBridgeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void configuredBridgesRelayWritesBetweenTwoClusters() {
        ClusterPki.init(PkiFiles.in(dir.resolve("east")), "east", "east-site", Duration.ofDays(1));
        ClusterPki.init(PkiFiles.in(dir.resolve("west")), "west", "west-site", Duration.ofDays(1));
        int eastPort = freeTcpPort();
        Map<String, String> east = props("east", "west", eastPort);
        Map<String, String> west = props("west", "east", freeTcpPort());
        west.put("acp.cluster.bridge.peer", "127.0.0.1:" + eastPort);
        ClusterService e = service(east);
        ClusterService w = service(west);
        e.start(context()).await().atMost(WAIT);
        w.start(context()).await().atMost(WAIT);
        try {
            ObjectKey fromEast = ObjectKey.of(ObjectType.NETWORK, "east-lan");
            ObjectKey fromWest = ObjectKey.of(ObjectType.NETWORK, "west-lan");
            e.cdb().putObject(fromEast, "vlan", Json.object(), null).await().atMost(WAIT);
            w.cdb().putObject(fromWest, "vlan", Json.object(), null).await().atMost(WAIT);
            Eventually.await(WAIT, () -> w.cdb().object(fromEast).isPresent(), "network/east-lan reaches west");
            Eventually.await(WAIT, () -> e.cdb().object(fromWest).isPresent(), "network/west-lan reaches east");
            assertThat(e.bridge().counters().linksUp()).isEqualTo(1);
        } finally {
            w.stop().await().atMost(WAIT);
            e.stop().await().atMost(WAIT);
        }
        assertThat(e.bridge()).isNull();
    }

    @Test
    void anEnabledBridgeWithoutRemoteCaRefusesToStartAndSaysWhichKey() {
        ClusterPki.init(PkiFiles.in(dir.resolve("east")), "east", "east-site", Duration.ofDays(1));
        Map<String, String> east = props("east", "west", freeTcpPort());
        east.remove("acp.cluster.bridge.remote-ca");
        ClusterService e = service(east);
        assertThatThrownBy(() -> e.start(context()).await().atMost(WAIT))
                .hasMessageContaining("acp.cluster.bridge.remote-ca");
        e.stop().await().atMost(WAIT);
    }

    private Map<String, String> props(String node, String remote, int listenPort) {
        Map<String, String> props = new HashMap<>();
        props.put("acp.node.id", node);
        props.put("acp.node.data-dir", dir.resolve(node).toString());
        props.put("acp.cluster.bridge.enabled", "true");
        props.put("acp.cluster.bridge.listen-host", "127.0.0.1");
        props.put("acp.cluster.bridge.listen-port", Integer.toString(listenPort));
        props.put("acp.cluster.bridge.remote-ca", PkiFiles.in(dir.resolve(remote)).caCertificate().toString());
        props.put("acp.cluster.bridge.reconnect-backoff", "50ms");
        props.put("acp.cluster.bridge.writable", "network/*"); // the remote side may write networks only
        return props;
    }

    private static ClusterService service(Map<String, String> props) {
        TestConfig c = TestConfig.of(props, ClusterConfig.class, NodeConfig.class);
        return new ClusterService(c.mapping(ClusterConfig.class), new NodeIdentity(c.mapping(NodeConfig.class)));
    }

    private static int freeTcpPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServiceContext context() {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return "test";
            }

            @Override
            public void failed(Throwable cause) {
                throw new AssertionError("cluster service reported a failure", cause);
            }
        };
    }
}
