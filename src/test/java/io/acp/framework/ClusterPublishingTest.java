package io.acp.framework;

import io.acp.node.Health;
import io.acp.node.ManagedService;
import static io.acp.framework.ManagerFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the manager writes into the CDB: service and node objects, their meta, node stats. */
class ClusterPublishingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectKey NODE = ObjectKey.of(ObjectType.NODE, "n1");

    private final ManagerFixture fixture = new ManagerFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static ObjectKey service(String name) {
        return ObjectKey.of(ObjectType.SERVICE, "n1:" + name);
    }

    private static JsonNode meta(Cdb cdb, ObjectKey key) {
        List<MetaEntry> entries = cdb.meta(key, "n1");
        assertThat(entries).as("meta of " + key).hasSize(1);
        return entries.get(0).values();
    }

    @Test
    void services_and_node_are_published_with_spec_and_meta() {
        Cdb cdb = Cdb.inMemory("n1");
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        ServiceManager manager = fixture.manager(List.of(cluster, api), List.of("cluster", "api"), () -> cdb);

        manager.startAll().await().atMost(WAIT);

        ObjectEntry apiObject = cdb.object(service("api")).orElseThrow();
        assertThat(apiObject.subtype()).isEqualTo("api");
        assertThat(apiObject.spec().toString()).isEqualTo("{\"node\":\"n1\",\"name\":\"api\",\"dependencies\":[\"cluster\"]}");
        assertThat(cdb.object(service("framework"))).isPresent();
        JsonNode apiMeta = meta(cdb, service("api"));
        assertThat(apiMeta.get("state").asText()).isEqualTo("running");
        assertThat(apiMeta.get("healthy").asBoolean()).isTrue();
        assertThat(apiMeta.get("detail").asText()).isEqualTo("ok");
        assertThat(apiMeta.get("since").asText()).isEqualTo(fixture.clock.instant().toString());
        assertThat(apiMeta.get("restarts").asInt()).isZero();
        assertThat(apiMeta.get("lastError").isNull()).isTrue();

        ObjectEntry node = cdb.object(NODE).orElseThrow();
        assertThat(node.spec().toString()).isEqualTo("{\"hostname\":\"host1\",\"version\":\"0.1.0\",\"services\":[\"framework\",\"cluster\",\"api\"]}");
        JsonNode nodeMeta = meta(cdb, NODE);
        assertThat(nodeMeta.get("state").asText()).isEqualTo("running");
        assertThat(nodeMeta.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(nodeMeta.get("startedAt").asText()).isEqualTo(manager.startedAt().toString());
    }

    @Test
    void objects_are_not_rewritten_when_unchanged_but_meta_follows_every_state() {
        Cdb cdb = Cdb.inMemory("n1");
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = fixture.manager(List.of(cluster), List.of("cluster"), () -> cdb);
        manager.startAll().await().atMost(WAIT);
        Version serviceVersion = cdb.object(service("cluster")).orElseThrow().version();
        Version nodeVersion = cdb.object(NODE).orElseThrow().version();

        manager.stopAll().await().atMost(WAIT);
        assertThat(meta(cdb, service("cluster")).get("state").asText()).isEqualTo("stopped");
        assertThat(meta(cdb, NODE).get("state").asText()).isEqualTo("stopping");
        manager.startAll().await().atMost(WAIT);

        assertThat(cdb.object(service("cluster")).orElseThrow().version()).isEqualTo(serviceVersion);
        assertThat(cdb.object(NODE).orElseThrow().version()).isEqualTo(nodeVersion);
        assertThat(meta(cdb, service("cluster")).get("state").asText()).isEqualTo("running");
        assertThat(meta(cdb, NODE).get("state").asText()).isEqualTo("running");
    }

    @Test
    void a_changed_spec_is_written() {
        Cdb cdb = Cdb.inMemory("n1");
        cdb.putObject(service("cluster"), "cluster", io.acp.model.Json.object().put("node", "n1").put("name", "cluster"), null).await().atMost(WAIT);
        Version old = cdb.object(service("cluster")).orElseThrow().version();
        ServiceManager manager = fixture.manager(List.of(fixture.service("cluster")), List.of("cluster"), () -> cdb);

        manager.startAll().await().atMost(WAIT);

        ObjectEntry now = cdb.object(service("cluster")).orElseThrow();
        assertThat(now.version()).isNotEqualTo(old);
        assertThat(now.spec().get("dependencies").isArray()).isTrue();
    }

    @Test
    void failure_and_restart_show_in_meta() {
        Cdb cdb = Cdb.inMemory("n1");
        fixture.timers.gated = true;
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = fixture.manager(List.of(cluster), List.of("cluster"), () -> cdb);
        manager.startAll().await().atMost(WAIT);

        cluster.fail("multicast socket closed");
        JsonNode failed = meta(cdb, service("cluster"));
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("healthy").asBoolean()).isFalse();
        assertThat(failed.get("lastError").asText()).isEqualTo("multicast socket closed");

        fixture.timers.release();
        JsonNode restarted = meta(cdb, service("cluster"));
        assertThat(restarted.get("state").asText()).isEqualTo("running");
        assertThat(restarted.get("restarts").asInt()).isEqualTo(1);
    }

    @Test
    void health_changes_show_in_meta() {
        Cdb cdb = Cdb.inMemory("n1");
        FakeService cluster = fixture.service("cluster");
        ServiceManager manager = fixture.manager(List.of(cluster), List.of("cluster"), () -> cdb);
        manager.startAll().await().atMost(WAIT);

        cluster.health = () -> Health.unhealthy("journal disk 98% full");

        eventually("unhealthy meta", () -> !meta(cdb, service("cluster")).get("healthy").asBoolean());
        assertThat(meta(cdb, service("cluster")).get("detail").asText()).isEqualTo("journal disk 98% full");
    }

    @Test
    void everything_is_published_again_into_the_cdb_of_a_restarted_cluster() {
        // A cluster service that opens a fresh CDB at every start, as the real one does.
        AtomicReference<Cdb> open = new AtomicReference<>();
        FakeService cluster = fixture.service("cluster");
        FakeService api = fixture.service("api", "cluster");
        cluster.onStart = () -> open.set(Cdb.inMemory("n1"));
        ManagedService clusterWithCdb = new DelegatingService(cluster) {
            @Override
            public Uni<Void> stop() {
                open.set(null);
                return super.stop();
            }
        };
        ServiceManager manager = fixture.manager(List.of(clusterWithCdb, api), List.of("cluster", "api"), open::get);
        manager.startAll().await().atMost(WAIT);
        Cdb first = open.get();
        assertThat(first.object(service("api"))).isPresent();

        cluster.fail("gone");

        Cdb second = open.get();
        assertThat(second).isNotSameAs(first);
        assertThat(second.objects(io.acp.cluster.ObjectQuery.all())).extracting(e -> e.key().toString())
                .contains("node/n1", "service/n1:framework", "service/n1:cluster", "service/n1:api");
        assertThat(meta(second, service("api")).get("state").asText()).isEqualTo("running");
        assertThat(meta(second, service("cluster")).get("restarts").asInt()).isEqualTo(1);
        assertThat(meta(second, NODE).get("state").asText()).isEqualTo("running");
    }

    @Test
    void node_stats_are_published_repeatedly_from_proc() throws InterruptedException {
        Cdb cdb = Cdb.inMemory("n1");
        ServiceManager manager = fixture.manager(List.of(fixture.service("cluster")), List.of("cluster"), () -> cdb,
                Duration.ofSeconds(10), Duration.ofMillis(20));
        manager.startAll().await().atMost(WAIT);

        eventually("three stats samples", () -> cdb.statsHistory(NODE, "n1").size() >= 3);

        StatsEntry latest = cdb.stats(NODE, "n1").get(0);
        assertThat(latest.values()).containsKeys("cpu", "cpus", "memTotal", "memAvailable", "memUsed", "load1", "load5", "load15", "uptime", "processRss");
        assertThat(latest.values().get("cpu")).isBetween(0.0, 1.0);
        assertThat(latest.values().get("memTotal")).isPositive();
        assertThat(latest.values().get("processRss")).isPositive();

        manager.stopAll().await().atMost(WAIT);
        Thread.sleep(60);
        int afterStop = cdb.statsHistory(NODE, "n1").size();
        Thread.sleep(100);
        assertThat(cdb.statsHistory(NODE, "n1")).as("no samples after stopAll").hasSize(afterStop);
    }
}
