package io.acp.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each rule against a real CDB: write what the producer writes when the watched thing breaks, see the
 * hit and the score drop by the rule's weight (cluster and node), repair it, see 100 again.
 */
class MonitorRulesTest {

    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private Cdb cdb;
    private Monitor monitor;

    @BeforeEach
    void healthyThreeNodeView() {
        cdb = Cdb.inMemory("n1");
        for (String n : List.of("n1", "n2", "n3")) {
            Producers.node(cdb, n, n.equals("n1"));
        }
        Producers.membership(cdb, "n1", "n2", "alive");
        Producers.membership(cdb, "n1", "n3", "alive");
        monitor = new Monitor(cdb, MonitorSettings.defaults(), clock::get);
        allNodesReport();
    }

    @AfterEach
    void close() {
        monitor.close();
        cdb.close();
    }

    private void allNodesReport() {
        for (String n : List.of("n1", "n2", "n3")) {
            Producers.nodeStats(cdb, n, clock.get());
        }
    }

    private HealthReport round() {
        monitor.round();
        return monitor.report();
    }

    /** One watched thing: how to break it, how to repair it, and the hit expected. */
    record Case(String name, BiConsumer<Cdb, AtomicLong> breakIt, BiConsumer<Cdb, AtomicLong> repair, Rule rule, String subject, String node) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("node dead", (c, t) -> Producers.membership(c, "n1", "n3", "dead"), (c, t) -> Producers.membership(c, "n1", "n3", "alive"),
                        Rule.NODE_DEAD, "node/n3", "n3"),
                new Case("node suspect", (c, t) -> Producers.membership(c, "n1", "n2", "suspect"), (c, t) -> Producers.membership(c, "n1", "n2", "alive"),
                        Rule.NODE_SUSPECT, "node/n2", "n2"),
                new Case("stats stale", (c, t) -> {
                    t.addAndGet(6_000);
                    Producers.nodeStats(c, "n1", t.get());
                    Producers.nodeStats(c, "n2", t.get());
                }, (c, t) -> Producers.nodeStats(c, "n3", t.get()), Rule.STATS_STALE, "node/n3", "n3"),
                new Case("clock skew", (c, t) -> {
                    for (int i = 0; i < StatsArrivals.WINDOW; i++) {
                        Producers.nodeStats(c, "n2", t.get() + 5_000);
                    }
                }, (c, t) -> {
                    for (int i = 0; i < StatsArrivals.WINDOW; i++) {
                        Producers.nodeStats(c, "n2", t.get());
                    }
                }, Rule.CLOCK_SKEW, "node/n2", "n2"),
                new Case("service failed", (c, t) -> Producers.service(c, "n2", "storage", "failed", false),
                        (c, t) -> Producers.service(c, "n2", "storage", "running", true), Rule.SERVICE_FAILED, "service/n2:storage", "n2"),
                new Case("service unhealthy", (c, t) -> Producers.service(c, "n3", "hypervisor", "running", false),
                        (c, t) -> Producers.service(c, "n3", "hypervisor", "running", true), Rule.SERVICE_UNHEALTHY, "service/n3:hypervisor", "n3"),
                new Case("system failed", (c, t) -> Producers.system(c, "web1", "n2", "failed"),
                        (c, t) -> Producers.system(c, "web1", "n2", "running"), Rule.SYSTEM_FAILED, "system/web1", "n2"),
                new Case("VMM unresponsive", (c, t) -> Producers.systemVmm(c, "web2", "n3", "unresponsive"),
                        (c, t) -> Producers.systemVmm(c, "web2", "n3", "running"), Rule.VMM_UNRESPONSIVE, "system/web2", "n3"),
                new Case("pool near full by usage", (c, t) -> Producers.pool(c, "p1", "n2", "ok", 90),
                        (c, t) -> Producers.pool(c, "p1", "n2", "ok", 40), Rule.POOL_NEAR_FULL, "storage/p1", "n2"),
                new Case("pool near full by state", (c, t) -> Producers.pool(c, "p1", "n2", "nearFull", 50),
                        (c, t) -> Producers.pool(c, "p1", "n2", "ok", 50), Rule.POOL_NEAR_FULL, "storage/p1", "n2"),
                new Case("pool full", (c, t) -> Producers.pool(c, "p2", "n3", "full", 99),
                        (c, t) -> Producers.pool(c, "p2", "n3", "ok", 10), Rule.POOL_FULL, "storage/p2", "n3"),
                new Case("pool unavailable", (c, t) -> Producers.pool(c, "p3", "n1", "unavailable", 0),
                        (c, t) -> Producers.pool(c, "p3", "n1", "ok", 0), Rule.POOL_UNAVAILABLE, "storage/p3", "n1"),
                new Case("device gone", (c, t) -> Producers.device(c, "sdb", "n2", "gone"),
                        (c, t) -> Producers.device(c, "sdb", "n2", "present"), Rule.DEVICE_GONE, "storage/sdb", "n2"),
                new Case("share unmounted", (c, t) -> Producers.share(c, "nfs1", "n3", "unmounted"),
                        (c, t) -> Producers.share(c, "nfs1", "n3", "mounted"), Rule.SHARE_UNMOUNTED, "storage/nfs1", "n3"),
                new Case("network down", (c, t) -> Producers.network(c, "v100", "n2", "down"),
                        (c, t) -> Producers.network(c, "v100", "n2", "up"), Rule.NETWORK_DOWN, "network/v100", "n2"),
                new Case("interface errors rising", (c, t) -> {
                    ObjectKey v = Producers.network(c, "v200", "n3", "up");
                    Producers.networkErrors(c, v, "n3", 5);
                    Producers.networkErrors(c, v, "n3", 9);
                }, (c, t) -> {
                    ObjectKey v = ObjectKey.of(ObjectType.NETWORK, "v200");
                    c.deleteObject(v).await().indefinitely();
                }, Rule.INTERFACE_ERRORS, "network/v200", "n3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachRuleCostsItsWeightUntilRepaired(Case c) {
        assertThat(round().score()).as("healthy cluster").isEqualTo(100);

        c.breakIt().accept(cdb, clock);
        HealthReport broken = round();
        int weight = c.rule().defaultWeight();
        assertThat(broken.hits()).singleElement().satisfies(h -> {
            assertThat(h.rule()).isEqualTo(c.rule());
            assertThat(h.subject()).isEqualTo(c.subject());
            assertThat(h.node()).isEqualTo(c.node());
            assertThat(h.points()).isEqualTo(weight);
            assertThat(h.severity()).isEqualTo(c.rule().defaultSeverity());
        });
        assertThat(broken.score()).isEqualTo(100 - weight);
        assertThat(broken.nodes().get(c.node())).isEqualTo(100 - weight);
        assertThat(broken.nodes()).as("other nodes keep their score").allSatisfy((n, s) -> {
            if (!n.equals(c.node())) {
                assertThat(s).isEqualTo(100);
            }
        });
        assertThat(cdb.stats(Monitor.serviceKey("n1"), "n1").get(0).values()).containsEntry("health", 100.0 - weight);

        c.repair().accept(cdb, clock);
        allNodesReport();
        assertThat(round().hits()).as("after repair").isEmpty();
        assertThat(monitor.report().score()).isEqualTo(100);
    }

    @Test
    void reportsOfADeadNodeAreNotJudgedOnlyItsDeathCounts() {
        Producers.pool(cdb, "p1", "n3", "full", 99);
        Producers.device(cdb, "sdb", "n3", "gone");
        Producers.membership(cdb, "n1", "n3", "dead");
        assertThat(round().hits()).extracting(Hit::rule).containsExactly(Rule.NODE_DEAD);
    }

    @Test
    void aDisabledRuleCostsNothingAndAWeightAndSeverityCanBeChanged() {
        monitor.close();
        MonitorSettings s = MonitorSettings.defaults()
                .withRule(Rule.POOL_FULL, new RuleSetting(false, 15, Severity.CRITICAL))
                .withRule(Rule.DEVICE_GONE, new RuleSetting(true, 40, Severity.MINOR));
        monitor = new Monitor(cdb, s, clock::get);
        Producers.pool(cdb, "p1", "n2", "full", 99);
        Producers.device(cdb, "sdb", "n2", "gone");
        HealthReport r = round();
        assertThat(r.hits()).singleElement().satisfies(h -> {
            assertThat(h.rule()).isEqualTo(Rule.DEVICE_GONE);
            assertThat(h.severity()).isEqualTo(Severity.MINOR);
        });
        assertThat(r.score()).isEqualTo(60);
    }

    @Test
    void theScoreNeverGoesBelowZero() {
        for (int i = 0; i < 8; i++) {
            Producers.pool(cdb, "p" + i, "n2", "full", 100);
        }
        HealthReport r = round();
        assertThat(r.hits()).hasSize(8);
        assertThat(r.score()).isZero();
        assertThat(r.nodes()).containsEntry("n2", 0).containsEntry("n3", 100);
    }
}
