package io.acp.cluster.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.CdbContents;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two real clusters (2 nodes each, own multicast group and secret, own CA), bridged over real
 * TLS on 127.0.0.1 between a1 (accepting) and b1 (connecting).
 */
class ClusterBridgeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration CERT_VALIDITY = Duration.ofDays(1);

    private InProcessCluster a;
    private InProcessCluster b;
    private final List<ClusterBridge> bridges = new ArrayList<>();
    private final List<Cancellable> watches = new ArrayList<>();
    private final List<String> backwards = new ArrayList<>();
    private Path foreignCaDir;

    @BeforeEach
    void startClusters() throws IOException {
        a = InProcessCluster.start(2, InProcessCluster.testSettings("site-a", "secret of cluster a 0123456789"), "a", 1);
        b = InProcessCluster.start(2, InProcessCluster.testSettings("site-b", "secret of cluster b 9876543210"), "b", 2);
        // a1 and b1 already hold node certificates of their own cluster's CA (InProcessCluster issues them)
        foreignCaDir = Files.createTempDirectory("acp-foreign-ca-");
        ClusterPki.init(PkiFiles.in(foreignCaDir), "x1", "elsewhere", CERT_VALIDITY);
        for (InProcessCluster c : List.of(a, b)) {
            c.nodes().forEach(n -> watches.add(watchVersions(n.id, n.cdb())));
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        watches.forEach(Cancellable::cancel);
        bridges.forEach(br -> br.stop().await().atMost(WAIT));
        a.close();
        b.close();
        try (Stream<Path> files = Files.walk(foreignCaDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(backwards).as("versions that went backwards").isEmpty();
    }

    @Test
    void relaysWritesBothWaysToEveryNodeWithoutBouncing() {
        ClusterBridge accepting = bridge(a, 1, pki(b, 1).caCertificate(), Optional.empty());
        ClusterBridge connecting = bridge(b, 1, pki(a, 1).caCertificate(), Optional.of(accepting));
        Eventually.await(WAIT, () -> accepting.linked() && connecting.linked(), "the bridges link");

        ObjectKey fromA = write(a, 2, "from-a");
        ObjectKey fromB = write(b, 2, "from-b");

        awaitEverywhere(fromA, a.node(2).cdb().object(fromA).orElseThrow().version());
        awaitEverywhere(fromB, b.node(2).cdb().object(fromB).orElseThrow().version());
        assertThat(connecting.counters().echoesSuppressed() + accepting.counters().echoesSuppressed())
                .as("entries merged from the link are not sent back over it").isPositive();
        assertThat(accepting.counters().entriesSent()).isPositive();
        assertThat(connecting.counters().entriesReceived()).isPositive();
    }

    /**
     * In a small group a write reaches the other members proven by pair tags, and its author's seal
     * follows at the author's next heartbeat: the bridge node may see the change before it can send
     * it. Here a1's bridge is shown no seal until the test says so; the entry must cross then, on the
     * same link, and not only with a later link's full state.
     */
    @Test
    void anEntryWhoseSealReachesTheBridgeNodeAfterItCrossesOnceTheSealIsThere() {
        AtomicBoolean sealsArrived = new AtomicBoolean();
        InProcessCluster.Node a1 = a.node(1);
        ClusterBridge accepting = bridge(a, 1, pki(b, 1).caCertificate(), Optional.empty(),
                e -> sealsArrived.get() ? a1.sync().sealed(e) : Optional.empty());
        ClusterBridge connecting = bridge(b, 1, pki(a, 1).caCertificate(), Optional.of(accepting));
        Eventually.await(WAIT, () -> accepting.linked() && connecting.linked(), "the bridges link");

        ObjectKey late = write(a, 2, "sealed-late");
        Version version = a.node(2).cdb().object(late).orElseThrow().version();
        Eventually.await(WAIT, () -> a1.cdb().object(late).isPresent(), "a1 has a2's write");
        Eventually.await(WAIT, () -> a1.sync().sealed(a1.cdb().object(late).orElseThrow()).isPresent(), "a1 holds a2's seal of it");
        sleep(500); // five tries of a1's link, none with a seal
        assertThat(b.node(1).cdb().object(late)).as("an entry its bridge cannot prove does not cross").isEmpty();

        sealsArrived.set(true);
        awaitEverywhere(late, version);
        assertThat(accepting.counters().unsealedSkips()).as("nothing given up").isZero();
        assertThat(accepting.counters().linksUp()).as("on the same link").isEqualTo(1);
    }

    @Test
    void bothSidesConvergeAfterTheLinkIsCutAndRestored() {
        ClusterBridge accepting = bridge(a, 1, pki(b, 1).caCertificate(), Optional.empty());
        ClusterBridge connecting = bridge(b, 1, pki(a, 1).caCertificate(), Optional.of(accepting));
        ObjectKey early = write(a, 2, "early");
        awaitEverywhere(early, a.node(2).cdb().object(early).orElseThrow().version());

        connecting.stop().await().atMost(WAIT);
        bridges.remove(connecting);
        Eventually.await(WAIT, () -> !accepting.linked(), "the accepting side notices the cut");
        ObjectKey duringCutA = write(a, 2, "cut-a");
        ObjectKey duringCutB = write(b, 2, "cut-b");
        b.node(2).cdb().deleteObject(early).await().atMost(WAIT);
        assertThat(b.node(1).cdb().object(duringCutA)).as("nothing crosses a cut link").isEmpty();

        ClusterBridge restored = bridge(b, 1, pki(a, 1).caCertificate(), Optional.of(accepting));
        Eventually.await(WAIT, restored::linked, "the bridge links again");
        Eventually.await(WAIT, this::allFourAgree, () -> "contents differ:" + differences());
        Cdb any = a.node(1).cdb();
        assertThat(any.object(duringCutA)).isPresent();
        assertThat(any.object(duringCutB)).isPresent();
        assertThat(any.object(early)).as("the delete made on b during the cut wins on a too").isEmpty();
    }

    @Test
    void aBridgeThatDoesNotTrustTheRemoteCaRefusesTheLinkAndNothingCrosses() {
        ClusterBridge accepting = bridge(a, 1, pki(b, 1).caCertificate(), Optional.empty());
        ClusterBridge distrusting = bridge(b, 1, PkiFiles.in(foreignCaDir).caCertificate(), Optional.of(accepting));
        ObjectKey key = write(a, 2, "secret-plans");
        Eventually.await(WAIT, () -> a.node(1).cdb().object(key).isPresent(), "a1 has the write");

        Eventually.await(WAIT, () -> distrusting.counters().linksFailed() >= 2, "the connecting bridge tries and is refused, twice");
        assertThat(distrusting.counters().linksUp()).isZero();
        assertThat(accepting.counters().linksUp()).isZero();
        assertThat(distrusting.counters().entriesReceived()).isZero();
        assertThat(accepting.counters().entriesReceived()).isZero();
        for (InProcessCluster.Node n : b.nodes()) {
            assertThat(n.cdb().object(key)).as("%s never receives cluster a's object", n.id).isEmpty();
        }
    }

    @Test
    void entriesOutsideTheWritableSetOrClaimingALocalAuthorAreRefusedCountedAndChangeNothing() {
        a.awaitConverged(WAIT); // a1 knows a2's certificate: a2 is a member of cluster a
        ClusterBridge accepting = bridge(a, 1, pki(b, 1).caCertificate(), Optional.empty()); // writable: system/*
        ClusterBridge connecting = bridge(b, 1, pki(a, 1).caCertificate(), Optional.of(accepting));
        Eventually.await(WAIT, () -> accepting.linked() && connecting.linked(), "the bridges link");

        ObjectKey network = ObjectKey.of(ObjectType.NETWORK, "b-vlan");
        b.node(2).cdb().putObject(network, "vlan", Json.object().put("vlan", 10), null).await().atMost(WAIT);
        ObjectKey claimed = ObjectKey.of(ObjectType.SYSTEM, "a-owned");
        // cluster b (its bridge node, say, compromised) writes an object in the name of a2, a member of a
        b.node(1).cdb().merge(new io.acp.model.ObjectEntry(claimed, null, Json.object().put("disk", "/etc/shadow"),
                new Version(b.node(1).cdb().clock().now(), "a2"), false));

        // the claimed entry has no seal of a2 (b1 cannot make one): it leaves b1 only if b1's sync vouched for it
        // as a bridge (a2 is no member of b), and then a1 refuses it as local-author; or it never leaves b1
        // (BridgeOriginAttackTest sends such claims through the link under every seal it can make)
        Eventually.await(WAIT, () -> accepting.counters().notWritableRefusals() >= 1
                        && (accepting.counters().localAuthorRefusals() >= 1 || connecting.counters().unsealedSkips() >= 1),
                () -> "a1's bridge counters " + accepting.counters().snapshot() + ", b1's " + connecting.counters().snapshot());
        ObjectKey allowed = write(b, 2, "allowed");
        awaitEverywhere(allowed, b.node(2).cdb().object(allowed).orElseThrow().version()); // what is writable still crosses
        for (InProcessCluster.Node n : a.nodes()) {
            assertThat(n.cdb().object(network)).as("%s never takes a network the bridge may not write", n.id).isEmpty();
            assertThat(n.cdb().object(claimed)).as("%s never takes an entry claiming its own member", n.id).isEmpty();
        }
    }

    // ---- fixture ----------------------------------------------------------------------------------

    private ClusterBridge bridge(InProcessCluster c, int node, Path remoteCa, Optional<ClusterBridge> connectTo) {
        return bridge(c, node, remoteCa, connectTo, c.node(node).sync()::sealed);
    }

    private ClusterBridge bridge(InProcessCluster c, int node, Path remoteCa, Optional<ClusterBridge> connectTo,
                                 Function<Entry, Optional<SealedEntry>> heldSeals) {
        InProcessCluster.Node n = c.node(node);
        BridgeSettings settings = new BridgeSettings("127.0.0.1", 0,
                connectTo.map(t -> new BridgeSettings.HostPort("127.0.0.1", t.address().getPort())), remoteCa,
                Duration.ofMillis(50), Duration.ofMillis(400), 1 << 20, new BridgeSettings.Writable(List.of("system/*")));
        ClusterBridge bridge = new ClusterBridge(n.cdb(), settings, n.id, n.dataDir);
        n.sync().relayBridgedEntries(); // the bridged entries reach this cluster's other node sealed by the bridge node
        bridge.useSeals(heldSeals); // this cluster's entries cross under their authors' seals
        bridge.start().await().atMost(WAIT);
        bridges.add(bridge);
        return bridge;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static PkiFiles pki(InProcessCluster c, int node) {
        return PkiFiles.in(c.node(node).dataDir);
    }

    private static ObjectKey write(InProcessCluster c, int node, String id) {
        ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, id);
        Cdb cdb = c.node(node).cdb();
        cdb.putObject(key, null, Json.object().put("written-on", c.node(node).id), null).await().atMost(WAIT);
        cdb.putMeta(key, Json.object().put("state", "running"));
        return key;
    }

    private void awaitEverywhere(ObjectKey key, Version version) {
        for (InProcessCluster c : List.of(a, b)) {
            for (InProcessCluster.Node n : c.nodes()) {
                Eventually.await(WAIT, () -> n.cdb().object(key).map(o -> o.version().equals(version)).orElse(false),
                        () -> n.id + " to hold " + key + " at " + version + ", has " + n.cdb().object(key));
            }
        }
    }

    private List<InProcessCluster.Node> allNodes() {
        List<InProcessCluster.Node> all = new ArrayList<>(a.nodes());
        all.addAll(b.nodes());
        return all;
    }

    private boolean allFourAgree() {
        return allNodes().stream().map(n -> CdbContents.of(n.cdb(), List.of())).collect(Collectors.toSet()).size() == 1;
    }

    private String differences() {
        return CdbContents.differences(allNodes(), List.of());
    }

    /** Records any change event whose version is older than one seen before for the same slot. */
    private Cancellable watchVersions(String node, Cdb cdb) {
        Map<String, Version> seen = new ConcurrentHashMap<>();
        return cdb.changes(ChangeFilter.ALL).subscribe().with(e -> {
            String slot = e.kind() + " " + e.key() + (e.kind() == Entry.Kind.OBJECT ? "" : " " + e.node());
            Version before = seen.put(slot, e.version());
            if (before != null && e.version().compareTo(before) < 0) {
                synchronized (backwards) {
                    backwards.add(node + ": " + slot + " " + before + " -> " + e.version());
                }
            }
        });
    }
}
