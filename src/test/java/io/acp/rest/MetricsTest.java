package io.acp.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.ClusterSync;
import io.acp.cluster.sync.SyncSettings;
import io.acp.framework.ServiceManager;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.acp.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of node a in a three-node cluster: a is a running node, b and c are real CDBs
 * syncing with it over loopback multicast in this JVM. One scrape of a shows every node's stats,
 * labelled by node, type and id, beside a's process meters; Prometheus' own promtool accepts it.
 * The health probes answer beside it.
 */
@QuarkusTest
@TestProfile(RestNodeProfile.class)
@Timeout(120)
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ServiceManager manager;

    @ConfigProperty(name = "acp.cluster.sync.group")
    String group;

    @ConfigProperty(name = "acp.cluster.sync.port")
    int port;

    @TempDir
    Path dir;

    @BeforeEach
    void node() throws Exception {
        RestNode.start(manager);
    }

    @Test
    void oneScrapeOfNodeAShowsEveryNodesStatsAndPromtoolAcceptsIt() throws Exception {
        SyncSettings settings = SyncSettings.defaults("acp", RestNodeProfile.SECRET, group, port);
        List<ClusterSync> peers = new ArrayList<>();
        try {
            for (String id : List.of("b", "c")) {
                Cdb cdb = Cdb.inMemory(id);
                Path peerDir = Files.createDirectories(dir.resolve(id));
                TestPki.provision(RestNode.ca(), peerDir, id);
                ClusterSync sync = new ClusterSync(cdb, settings, id, peerDir);
                sync.start().await().atMost(WAIT);
                peers.add(sync);
                cdb.putStats(ObjectKey.of(ObjectType.NODE, id), Map.of("cpuPercent", 12.5, "memUsedBytes", 3.0e9));
                cdb.putStats(ObjectKey.of(ObjectType.SYSTEM, "vm-" + id), Map.of("cpuPercent", 4.0));
            }

            Eventually.await(WAIT, () -> {
                String body = scrape();
                return body.contains("acp_stat_cpu_percent{node=\"b\",type=\"node\",id=\"b\"} 12.5")
                        && body.contains("acp_stat_cpu_percent{node=\"c\",type=\"node\",id=\"c\"} 12.5")
                        && body.contains("acp_stat_cpu_percent{node=\"c\",type=\"system\",id=\"vm-c\"} 4")
                        && body.contains("{node=\"a\",type=\"node\",id=\"a\"}");
            }, "a's /metrics shows the stats of a, b and c");

            String body = scrape();
            assertThat(body).contains("acp_stat_mem_used_bytes{node=\"b\",type=\"node\",id=\"b\"} 3000000000");
            assertThat(body).contains("acp_stats_age_seconds{node=\"b\",type=\"node\",id=\"b\"}");
            assertThat(body).contains("acp_metrics_series_dropped 0");
            assertThat(body).as("a's own process meters").contains("jvm_memory_used_bytes", "jvm_info", "process_uptime_seconds",
                    "system_cpu_usage", "process_files_open_files");
            for (String line : body.split("\n")) {
                if (line.startsWith("acp_stat_") && line.contains("{")) {
                    assertThat(line).as("only node, type and id label acp_stat_*").matches("acp_stat_[a-z0-9_]+\\{node=\"[^\"]*\",type=\"[a-z]+\",id=\"[^\"]*\"\\} \\S+");
                }
            }
            promtoolAccepts(body);
            dashboardQueriesWhatTheNodePublishes(body);
        } finally {
            for (ClusterSync s : peers) {
                s.stop().await().atMost(WAIT);
            }
        }
    }

    @Test
    void theProbesAnswerLiveAndReadyWithEachServicesState() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks[0].data.webapi", equalTo("running"))
                .body("checks[0].data.sync", equalTo("ready"));
    }

    private static String scrape() {
        return given().when().get("/metrics").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/plain")).extract().asString();
    }

    /**
     * docs/grafana-dashboard.json asks for what exists: node, service and scrape-level families are
     * in this scrape; system families are the names of the stats the hypervisor publishes per
     * system; {@code health} is the primary monitor's stat (no monitor runs here).
     */
    private static void dashboardQueriesWhatTheNodePublishes(String body) throws Exception {
        com.fasterxml.jackson.databind.JsonNode dashboard = io.acp.model.Json.MAPPER.readTree(Path.of("docs/grafana-dashboard.json").toFile());
        java.util.Set<String> published = new java.util.TreeSet<>();
        for (String stat : List.of("cpu", "memory", "diskReadBytes", "diskWriteBytes", "netRxBytes", "netTxBytes", "health")) {
            published.add("acp_stat_" + io.acp.metrics.ClusterExposition.metricName(stat));
        }
        java.util.regex.Pattern family = java.util.regex.Pattern.compile("(acp_[a-z0-9_]+)(\\{[^}]*\\})?");
        int checked = 0;
        for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.path("panels")) {
            for (com.fasterxml.jackson.databind.JsonNode target : panel.path("targets")) {
                java.util.regex.Matcher m = family.matcher(target.path("expr").asText());
                while (m.find()) {
                    String name = m.group(1);
                    String selector = m.group(2) == null ? "" : m.group(2);
                    if (selector.contains("type=\"system\"") || name.equals("acp_stat_health")) {
                        assertThat(published).as("dashboard's %s%s is a published stat", name, selector).contains(name);
                    } else {
                        assertThat(body).as("dashboard's %s is in a's scrape", name).containsPattern("(?m)^" + name + "[{ ]");
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    private void promtoolAccepts(String body) throws Exception {
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, body, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("promtool", "check", "metrics")
                .redirectInput(file.toFile())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("promtool check metrics: %s", out).isZero();
    }
}
