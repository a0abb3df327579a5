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
import io.acp.protocol.AcpException;
import io.acp.cluster.sync.SecretRotation;
import io.acp.security.ClusterPki;
import io.acp.security.ClusterSecretSlots;
import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.TestPki;
import io.acp.testing.Ports;
import io.acp.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real cluster services, configured through SmallRye Config as a node would be, with sync on
 * over loopback multicast: a write on one reaches the other, and each publishes its sync counters.
 */
class ClusterServiceSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aWriteOnOneNodeReachesTheOtherAndSyncCountersArePublished() {
        String group = Ports.randomGroup();
        int port = Ports.freeUdpPort();
        // sync seals with the node key: both nodes hold certificates of one cluster CA
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        TestPki.provision(ca, dir.resolve("a"), "a");
        TestPki.provision(ca, dir.resolve("b"), "b");
        ClusterService a = service("a", group, port);
        ClusterService b = service("b", group, port);
        a.start(context()).await().atMost(WAIT);
        b.start(context()).await().atMost(WAIT);
        try {
            ObjectKey vm = ObjectKey.of(ObjectType.SYSTEM, "vm1");
            a.cdb().putObject(vm, null, Json.object().put("vcpus", 2), null).await().atMost(WAIT);

            Eventually.await(WAIT, () -> b.cdb().object(vm).isPresent(), "system/vm1 written on a reaches b");
            assertThat(b.cdb().object(vm).orElseThrow().spec().path("vcpus").asInt()).isEqualTo(2);
            ObjectKey syncStats = ObjectKey.of(ObjectType.SERVICE, "b:cluster");
            Eventually.await(WAIT, () -> !b.cdb().stats(syncStats, "b").isEmpty(), "b publishes its sync counters");
            assertThat(b.cdb().stats(syncStats, "b").get(0).values()).isNotEmpty();
        } finally {
            a.stop().await().atMost(WAIT);
            b.stop().await().atMost(WAIT);
        }
        assertThat(a.sync()).isNull();
    }

    @Test
    void withoutAConfiguredSecretSyncUsesTheClusterSecretFromThePkiDirectory() {
        PkiFiles pkiA = PkiFiles.in(dir.resolve("a"));
        ClusterPki.init(pkiA, "a", "test", Duration.ofDays(1));
        ClusterPki.addNode(pkiA, PkiFiles.in(dir.resolve("b")), "b", Duration.ofDays(1));
        String group = Ports.randomGroup();
        int port = Ports.freeUdpPort();
        ClusterService a = service("a", group, port, false);
        ClusterService b = service("b", group, port, false);
        a.start(context()).await().atMost(WAIT);
        b.start(context()).await().atMost(WAIT);
        try {
            ObjectKey vm = ObjectKey.of(ObjectType.SYSTEM, "vm2");
            b.cdb().putObject(vm, null, Json.object(), null).await().atMost(WAIT);
            Eventually.await(WAIT, () -> a.cdb().object(vm).isPresent(), "system/vm2 written on b reaches a");
        } finally {
            a.stop().await().atMost(WAIT);
            b.stop().await().atMost(WAIT);
        }
    }

    @Test
    void aNodeRestartedMidRotationComesBackInItsStepAndTheRotationFinishes() {
        PkiFiles pkiA = PkiFiles.in(dir.resolve("a"));
        ClusterPki.init(pkiA, "a", "test", Duration.ofDays(1));
        ClusterPki.addNode(pkiA, PkiFiles.in(dir.resolve("b")), "b", Duration.ofDays(1));
        String group = Ports.randomGroup();
        int port = Ports.freeUdpPort();
        String fresh = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b";
        ClusterService a = service("a", group, port, false);
        ClusterService b = service("b", group, port, false);
        a.start(context()).await().atMost(WAIT);
        b.start(context()).await().atMost(WAIT);
        try {
            a.secretRotation().perform(SecretRotation.Step.ACCEPT, Optional.of(fresh));
            b.secretRotation().perform(SecretRotation.Step.ACCEPT, Optional.of(fresh));
            a.secretRotation().perform(SecretRotation.Step.SEND, Optional.of(fresh)); // a sends under the new secret now

            b.stop().await().atMost(WAIT); // b restarts between its steps: it must still accept the new secret
            b = service("b", group, port, false);
            b.start(context()).await().atMost(WAIT);
            ObjectKey during = ObjectKey.of(ObjectType.SYSTEM, "during");
            a.cdb().putObject(during, null, Json.object(), null).await().atMost(WAIT);
            ClusterService restarted = b;
            Eventually.await(WAIT, () -> restarted.cdb().object(during).isPresent(), "a's write under the new secret reaches the restarted b");

            b.secretRotation().perform(SecretRotation.Step.SEND, Optional.of(fresh));
            a.secretRotation().perform(SecretRotation.Step.RETIRE, Optional.empty());
            b.secretRotation().perform(SecretRotation.Step.RETIRE, Optional.empty());
            ObjectKey after = ObjectKey.of(ObjectType.SYSTEM, "after");
            b.cdb().putObject(after, null, Json.object(), null).await().atMost(WAIT);
            Eventually.await(WAIT, () -> a.cdb().object(after).isPresent(), "b's write after the rotation reaches a");
            assertThat(ClusterSecretSlots.in(dir.resolve("b")).current()).isEqualTo(fresh);
        } finally {
            a.stop().await().atMost(WAIT);
            b.stop().await().atMost(WAIT);
        }
    }

    @Test
    void aConfiguredSecretIsNotRotatedThroughThePkiFiles() {
        ClusterService c = service("c", Ports.randomGroup(), Ports.freeUdpPort(), true);
        assertThatThrownBy(c::secretRotation)
                .isInstanceOf(AcpException.class)
                .hasMessageContaining("node c takes its cluster secret from acp.cluster.sync.secret");
    }

    @Test
    void syncWithNoSecretAnywhereRefusesToStartAndSaysWhatToDo() {
        ClusterService lone = service("c", Ports.randomGroup(), Ports.freeUdpPort(), false);
        assertThatThrownBy(() -> lone.start(context()).await().atMost(WAIT))
                .isInstanceOf(AcpException.class)
                .hasMessageContaining("node c has no secret")
                .hasMessageContaining("acp cluster init");
        lone.stop().await().atMost(WAIT);
    }

    private ClusterService service(String node, String group, int port) {
        return service(node, group, port, true);
    }

    private ClusterService service(String node, String group, int port, boolean configuredSecret) {
        Map<String, String> props = new HashMap<>();
        props.put("acp.node.id", node);
        props.put("acp.node.data-dir", dir.resolve(node).toString());
        props.put("acp.cluster.sync.enabled", "true");
        if (configuredSecret) {
            props.put("acp.cluster.sync.secret", "a-test-secret-of-enough-length");
        }
        props.put("acp.cluster.sync.group", group);
        props.put("acp.cluster.sync.port", Integer.toString(port));
        props.put("acp.cluster.sync.heartbeat-interval", "100ms");
        props.put("acp.cluster.sync.anti-entropy-interval", "200ms");
        TestConfig c = TestConfig.of(props, ClusterConfig.class, NodeConfig.class);
        return new ClusterService(c.mapping(ClusterConfig.class), new NodeIdentity(c.mapping(NodeConfig.class)));
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
