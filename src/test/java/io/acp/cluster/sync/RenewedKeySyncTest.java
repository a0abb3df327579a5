package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member restarted under a renewed certificate (a new key, its journal kept) sends at once under
 * the new key (heartbeats, and tagged deltas as soon as it knows its peers' keys) while its peers
 * still hold only its old certificate: with real sockets, what it sends under the new key waits
 * behind the sealed DELTA that brings the new certificate and is never refused.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RenewedKeySyncTest {

    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final String UNKNOWN_AUTHOR = "sync.refused.unknown-author";

    @Test
    void aMemberRestartedUnderARenewedKeyWritesAtOnceAndNoPeerRefusesItAsAnUnknownAuthor() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.startJournaled(3)) {
            ClusterSyncTest.writeConcurrently(cluster, "before", 5);
            cluster.awaitConverged(CONVERGE);
            InProcessCluster.Node n2 = cluster.node(2);
            List<InProcessCluster.Node> peers = List.of(cluster.node(1), cluster.node(3));
            // the first start refuses heartbeats until certificates are exchanged: count from here
            Map<InProcessCluster.Node, Long> refusedBefore = new HashMap<>();
            peers.forEach(p -> refusedBefore.put(p, p.sync().stats().get(UNKNOWN_AUTHOR)));
            cluster.stop(2);
            ClusterPki.issueOwnCertificate(PkiFiles.in(n2.dataDir), ClusterPki.loadAuthority(cluster.ca()), n2.id, Duration.ofDays(30));

            cluster.restart(2);
            for (int i = 0; i < 50; i++) {
                ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "renewed-" + i);
                n2.cdb().putObject(key, null, Json.object().put("i", i), null).await().atMost(Duration.ofSeconds(5));
                n2.cdb().putStats(key, Map.of("cpu", i / 100.0));
            }
            cluster.awaitConverged(CONVERGE);

            for (InProcessCluster.Node peer : peers) {
                assertThat(peer.cdb().objectCount()).isEqualTo(3 * 5 + 50);
                assertThat(peer.sync().stats().get(UNKNOWN_AUTHOR)).as("unknown-author refusals at " + peer.id + " since n2 restarted")
                        .isEqualTo(refusedBefore.get(peer));
            }
        }
    }
}
