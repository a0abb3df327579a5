package io.acp.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exposition of a real (in-memory) CDB's stats: names, labels, escaping and the series cap. */
class ClusterExpositionTest {

    @Test
    void statNamesBecomeGaugeNamesPrometheusAccepts() {
        assertThat(ClusterExposition.metricName("memUsed")).isEqualTo("mem_used");
        assertThat(ClusterExposition.metricName("memTotal")).isEqualTo("mem_size");
        assertThat(ClusterExposition.metricName("readBytesPerSec")).isEqualTo("read_bytes_per_seconds");
        assertThat(ClusterExposition.metricName("eth0.rxErrors")).isEqualTo("eth0_rx_errors");
        assertThat(ClusterExposition.metricName("health.n-1")).isEqualTo("health_n_1");
        assertThat(ClusterExposition.metricName("requestCount")).isEqualTo("request_number");
        assertThat(ClusterExposition.metricName("..")).isEqualTo("unnamed");
    }

    @Test
    void everyStatIsOneSeriesLabelledByNodeTypeAndIdUpToTheCap() {
        Cdb cdb = Cdb.inMemory("a");
        cdb.putStats(ObjectKey.of(ObjectType.NODE, "a"), Map.of("cpu", 0.25, "memUsed", 1024.0));
        cdb.putStats(ObjectKey.of(ObjectType.SYSTEM, "vm.1"), Map.of("cpu", Double.NaN));

        String all = new ClusterExposition(100).render(cdb, System.currentTimeMillis());
        assertThat(all).contains("# TYPE acp_stat_cpu gauge\n")
                .contains("acp_stat_cpu{node=\"a\",type=\"node\",id=\"a\"} 0.25\n")
                .contains("acp_stat_cpu{node=\"a\",type=\"system\",id=\"vm.1\"} NaN\n")
                .contains("acp_stat_mem_used{node=\"a\",type=\"node\",id=\"a\"} 1024\n")
                .contains("acp_metrics_series 3\n")
                .contains("acp_metrics_series_dropped 0\n");

        String capped = new ClusterExposition(2).render(cdb, System.currentTimeMillis());
        assertThat(capped).contains("acp_metrics_series 2\n").contains("acp_metrics_series_dropped 1\n");
        assertThat(capped.lines().filter(l -> l.startsWith("acp_stat_") && l.contains("{"))).hasSize(2);
    }
}
