package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.Readiness;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.Eventually;
import io.acp.security.PkiFiles;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting node says it is syncing until it holds its peers' state, refuses meanwhile what its
 * partial state could answer wrongly (not_ready for a read of a missing object; a conditional
 * write waits until the state is there), and says ready only once it holds every write
 * acknowledged before it started. Real nodes on loopback multicast.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadinessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    /** What the node saw at each change of its own readiness meta, in order. */
    private record Seen(String readiness, int objects, ErrorCode readOfMissing) {
    }

    @Test
    void anEmptyNodeJoiningIsSyncingUntilItHoldsEveryEarlierWrite() throws Exception {
        SyncSettings settings = InProcessCluster.testSettings("ready", "readiness test secret 0123456789");
        Cdb first = Cdb.inMemory("n1");
        PkiFiles ca = TestPki.newCluster(tmp.resolve("ca"), "ready");
        TestPki.provision(ca, tmp.resolve("n1"), "n1"); // sync seals entries with each node's key
        TestPki.provision(ca, tmp.resolve("n2"), "n2");
        ClusterSync firstSync = new ClusterSync(first, settings, "n1", tmp.resolve("n1"));
        List<Seen> firstSeen = watchReadiness(first);
        firstSync.start().await().atMost(WAIT);
        Cdb joiner = Cdb.inMemory("n2");
        ClusterSync joinerSync = new ClusterSync(joiner, settings, "n2", tmp.resolve("n2"));
        try {
            Eventually.await(WAIT, () -> first.readiness() == Readiness.READY && firstSeen.size() == 2, "n1, alone, becomes ready");
            assertThat(firstSeen).extracting(Seen::readiness).containsExactly("syncing", "ready");
            int written = 400; // about 1 MB: more than one anti-entropy answer carries
            for (int i = 0; i < written; i++) {
                first.putObject(ObjectKey.of(ObjectType.SYSTEM, "s" + i), null, Json.object().put("pad", "p".repeat(2000)), null)
                        .await().atMost(WAIT);
            }

            List<Seen> seen = watchReadiness(joiner);
            joinerSync.start().await().atMost(WAIT);
            Eventually.await(WAIT, () -> joiner.readiness() == Readiness.READY && seen.size() == 2, () -> "n2 becomes ready; " + joinerSync.stats());

            assertThat(seen).extracting(Seen::readiness).containsExactly("syncing", "ready");
            Seen syncing = seen.get(0);
            Eventually.await(WAIT, () -> conditionalWriteDoneWhile.size() == 2, "both conditional writes done");
            // served once ready, or refused after the bounded wait: never checked against the partial state
            assertThat(conditionalWriteDoneWhile).as("conditional writes issued while syncing")
                    .allMatch(outcome -> outcome.equals("succeeded while ready") || outcome.equals("failed: not_ready"));
            assertThat(syncing.readOfMissing()).isEqualTo(ErrorCode.NOT_READY);
            assertThat(seen.get(1).objects()).as("objects n2 held when it said ready").isGreaterThanOrEqualTo(written);
            assertThat(joiner.meta(ObjectKey.of(ObjectType.NODE, "n2"), "n2").get(0).values().path("readiness").asText()).isEqualTo("ready");
            Eventually.await(WAIT, () -> first.meta(ObjectKey.of(ObjectType.NODE, "n2"), "n2").stream()
                    .anyMatch(m -> m.values().path("readiness").asText().equals("ready")), "n1 sees n2 ready in its meta");
            // ready: conditional writes are served at once
            joiner.putObject(ObjectKey.of(ObjectType.SYSTEM, "after"), null, Json.object(), Cdb.ABSENT).await().atMost(WAIT);
            assertThat(joiner.whenReady("x").await().atMost(Duration.ofMillis(1))).isNull();
        } finally {
            joinerSync.stop().await().atMost(WAIT);
            firstSync.stop().await().atMost(WAIT);
        }
    }

    private final List<String> conditionalWriteDoneWhile = Collections.synchronizedList(new ArrayList<>());

    /** Records, on each change of the node's own readiness meta, what the node answers at that moment. */
    private List<Seen> watchReadiness(Cdb cdb) {
        List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
        ObjectKey self = ObjectKey.of(ObjectType.NODE, cdb.localNode());
        cdb.changes(new ChangeFilter(java.util.Set.of(Entry.Kind.META), ObjectType.NODE, cdb.localNode(), cdb.localNode()))
                .subscribe().with(e -> {
                    String readiness = ((MetaEntry) e).values().path("readiness").asText(null);
                    if (readiness == null || (!seen.isEmpty() && seen.get(seen.size() - 1).readiness().equals(readiness))) {
                        return;
                    }
                    boolean syncing = readiness.equals("syncing");
                    if (syncing) {
                        // a conditional write while syncing waits for the state, then is checked against it
                        cdb.putObject(ObjectKey.of(ObjectType.SYSTEM, "cond-" + cdb.localNode()), null, Json.object(), Cdb.ABSENT)
                                .subscribe().with(ok -> conditionalWriteDoneWhile.add("succeeded while " + cdb.readiness().wireName()),
                                        f -> conditionalWriteDoneWhile.add("failed: " + (f instanceof AcpException a ? a.code().wireName() : f.toString())));
                    }
                    seen.add(new Seen(readiness, cdb.objectCount(), syncing ? failure(() -> cdb.requireReady("object system/missing")) : null));
                });
        return seen;
    }

    private static ErrorCode failure(Runnable r) {
        try {
            r.run();
            return null;
        } catch (AcpException e) {
            return e.code();
        }
    }
}
