package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.sync.SecretRotation.Step;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterSecretSlots;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The steps {@code acp cluster rotate-secret} drives, on real running nodes: each step moves the
 * node's PKI files (so a restart resumes in it) and its running sync's key slots; after the three
 * steps on every node writes still reach every node and the old secret is refused.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecretRotationStepsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String OLD = "in-process cluster secret 0123456789";
    private static final String NEW = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    @Test
    void theThreeStepsOnEveryNodeKeepSyncGoingAndRetireTheOldSecret() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            List<SecretRotation> rotations = cluster.nodes().stream().map(n -> {
                ClusterSecretSlots files = ClusterSecretSlots.in(n.dataDir);
                files.write(OLD, Optional.empty()); // what 'acp cluster init' / 'add-node' leave
                return new SecretRotation(n.id, files, n.sync());
            }).toList();
            long forged = forged(cluster);

            rotations.forEach(r -> r.perform(Step.ACCEPT, Optional.of(NEW)));
            assertSlots(cluster, OLD, Optional.of(NEW));
            write(cluster, "accept");
            cluster.awaitConverged(WAIT);

            rotations.forEach(r -> r.perform(Step.SEND, Optional.of(NEW)));
            rotations.get(0).perform(Step.SEND, Optional.of(NEW)); // a repeated step (a resumed rotation) changes nothing
            assertSlots(cluster, NEW, Optional.of(OLD));
            write(cluster, "send");
            cluster.awaitConverged(WAIT);

            rotations.forEach(r -> r.perform(Step.RETIRE, Optional.empty()));
            assertSlots(cluster, NEW, Optional.empty());
            write(cluster, "retire");
            cluster.awaitConverged(WAIT);

            assertThat(forged(cluster)).as("no peer datagram dropped as forged during the rotation").isEqualTo(forged);
            for (InProcessCluster.Node n : cluster.nodes()) {
                for (String tag : List.of("accept", "send", "retire")) {
                    for (InProcessCluster.Node writer : cluster.nodes()) {
                        assertThat(n.cdb().object(ObjectKey.of(ObjectType.SYSTEM, tag + "-" + writer.id)))
                                .as("%s's write after step %s on %s", writer.id, tag, n.id).isPresent();
                    }
                }
            }

            // a node still sending under the old secret is an outsider now: its datagrams are dropped as forged
            try (InProcessCluster stale = InProcessCluster.start(1, cluster.settings().withSecret(OLD), "old", 9)) {
                stale.node(1).cdb().putObject(ObjectKey.of(ObjectType.SYSTEM, "from-old"), null, Json.object(), null).await().atMost(WAIT);
                Eventually.await(WAIT, () -> forged(cluster) > forged, "the old secret's datagrams are dropped");
                assertThat(cluster.node(1).sync().membership()).extracting(p -> p.node()).doesNotContain("old1");
                assertThat(cluster.node(1).cdb().object(ObjectKey.of(ObjectType.SYSTEM, "from-old"))).isEmpty();
            }
        }
    }

    @Test
    void aStepWithoutAUsableSecretChangesNothing() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(1)) {
            InProcessCluster.Node n = cluster.node(1);
            ClusterSecretSlots files = ClusterSecretSlots.in(n.dataDir);
            files.write(OLD, Optional.empty());
            SecretRotation rotation = new SecretRotation(n.id, files, n.sync());

            assertThatThrownBy(() -> rotation.perform(Step.ACCEPT, Optional.of("short")))
                    .hasMessageContaining("node " + n.id).hasMessageContaining("at least 32");
            assertThatThrownBy(() -> rotation.perform(Step.ACCEPT, Optional.empty())).hasMessageContaining("needs the new secret");
            assertThatThrownBy(() -> rotation.perform(Step.ACCEPT, Optional.of(OLD))).hasMessageContaining("is the current one");
            assertThat(files.current()).isEqualTo(OLD);
            assertThat(files.previous()).isEmpty();
        }
    }

    private static void assertSlots(InProcessCluster cluster, String current, Optional<String> previous) throws Exception {
        for (InProcessCluster.Node n : cluster.nodes()) {
            ClusterSecretSlots files = ClusterSecretSlots.in(n.dataDir);
            assertThat(files.current()).as("pki/cluster.secret of %s", n.id).isEqualTo(current);
            assertThat(files.previous()).as("pki/cluster.secret.previous of %s", n.id).isEqualTo(previous);
            assertThat(Files.getPosixFilePermissions(files.pki().clusterSecret())).hasSize(2);
        }
    }

    private static void write(InProcessCluster cluster, String tag) {
        for (InProcessCluster.Node n : cluster.nodes()) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, tag + "-" + n.id);
            n.cdb().putObject(key, null, Json.object().put("tag", tag), null).await().atMost(WAIT);
        }
    }

    private static long forged(InProcessCluster cluster) {
        return cluster.nodes().stream().mapToLong(n -> n.sync().counters().droppedCount(DropReason.FORGED)).sum();
    }
}
