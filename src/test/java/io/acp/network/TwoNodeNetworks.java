package io.acp.network;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two nodes in one JVM, each with its own CDB (synced over loopback multicast) and a network
 * service working in its own namespace of a {@link NetLab}: n1 and n2, wired uplink to uplink
 * ({@code up0} on both sides), plus guest namespaces g1 (on n1's port {@code gv1}) and g2 (on n2's
 * {@code gv2}) with addresses 10.77.0.1 and .2.
 */
final class TwoNodeNetworks implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    final NetLab lab = new NetLab();
    final InProcessCluster cluster;
    final String ns1;
    final String ns2;
    final String g1;
    final String g2;
    final NetworkService n1;
    final NetworkService n2;

    TwoNodeNetworks() {
        InProcessCluster c = null;
        NetworkService s1 = null;
        NetworkService s2 = null;
        try {
            ns1 = lab.namespace("n1");
            ns2 = lab.namespace("n2");
            lab.wire(ns1, "up0", ns2, "up0");
            g1 = lab.guest("g1", ns1, "gv1", "10.77.0.1/24");
            g2 = lab.guest("g2", ns2, "gv2", "10.77.0.2/24");
            c = InProcessCluster.start(2);
            s1 = start(c.node(1).cdb(), "n1", ns1);
            s2 = start(c.node(2).cdb(), "n2", ns2);
        } catch (RuntimeException | Error e) {
            stopQuietly(s1);
            stopQuietly(s2);
            if (c != null) {
                c.close();
            }
            lab.close();
            throw e;
        }
        cluster = c;
        n1 = s1;
        n2 = s2;
        Eventually.await(WAIT, () -> reportsUplinks(cdb(1), "n2") && reportsUplinks(cdb(2), "n1"), "both nodes' uplinks reported on both nodes");
    }

    /** A network service of {@code node} on {@code cdb}, working in namespace {@code ns}. */
    static NetworkService start(Cdb cdb, String node, String ns) {
        // What the framework writes: the service object the catalog finds nodes by.
        cdb.putObject(new ObjectKey(ObjectType.SERVICE, node + ":network"), "network", Json.object().put("node", node).put("name", "network"), null)
                .await().atMost(Duration.ofSeconds(5));
        NetworkConfig config = TestConfig.of(Map.of(
                "acp.network.namespace", ns,
                "acp.network.uplinks", "up0",
                "acp.network.reconcile-interval", "1s",
                "acp.network.stats-interval", "300ms"), NetworkConfig.class).mapping(NetworkConfig.class);
        NetworkService s = new NetworkService(config, node, () -> cdb);
        s.start(null).await().atMost(Duration.ofSeconds(30));
        return s;
    }

    Cdb cdb(int node) {
        return cluster.node(node).cdb();
    }

    NetworkCatalog catalog() {
        return new NetworkCatalog(cdb(1));
    }

    /** Node {@code node}'s own meta of network {@code id}, as seen in {@code seenOn}'s CDB. */
    Optional<MetaEntry> meta(int seenOn, String id, String node) {
        return cdb(seenOn).meta(new ObjectKey(ObjectType.NETWORK, id), node).stream().findFirst();
    }

    String state(int seenOn, String id, String node) {
        return meta(seenOn, id, node).map(m -> m.values().path("state").asText()).orElse("(no meta)");
    }

    Map<String, Double> stats(String id, String node, int seenOn) {
        return cdb(seenOn).stats(new ObjectKey(ObjectType.NETWORK, id), node).stream().findFirst().map(StatsEntry::values).orElse(Map.of());
    }

    void awaitState(String id, String expected) {
        Eventually.await(WAIT, () -> state(1, id, "n1").equals(expected) && state(1, id, "n2").equals(expected),
                () -> "network " + id + " " + expected + " on n1 and n2; meta: n1 " + meta(1, id, "n1").map(MetaEntry::values)
                        + ", n2 " + meta(1, id, "n2").map(MetaEntry::values));
    }

    private static boolean reportsUplinks(Cdb cdb, String node) {
        return cdb.meta(new ObjectKey(ObjectType.SERVICE, node + ":network"), node).stream()
                .anyMatch(m -> m.values().path("uplinks").toString().contains("up0"));
    }

    /** Links of a namespace, as the backend reads them. */
    static List<Link> links(String ns) {
        return new IpLinkBackend(new Commands(Optional.of(ns), Duration.ofSeconds(10))).links();
    }

    static Optional<Link> link(String ns, String name) {
        return links(ns).stream().filter(l -> l.name().equals(name)).findFirst();
    }

    private static void stopQuietly(NetworkService s) {
        if (s != null) {
            s.stop().await().atMost(Duration.ofSeconds(10));
        }
    }

    @Override
    public void close() {
        try {
            stopQuietly(n1);
            stopQuietly(n2);
            cluster.close();
        } finally {
            lab.close();
        }
    }
}
