package io.acp.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Settings of {@code /metrics} (the cluster's stats and this process' meters in the Prometheus
 * text format) on the WebAPI's HTTP listener.
 */
@ConfigMapping(prefix = "acp.metrics")
public interface MetricsConfig {

    /**
     * Most {@code acp_stat_*} series one scrape carries (one per node, object and stat); the rest are
     * left out and counted in {@code acp_metrics_series_dropped}, so a huge cluster cannot swamp Prometheus.
     */
    @WithDefault("20000")
    int maxSeries();

    /** Whether a scrape must present an API key ({@code Authorization: Bearer}); any role may scrape. */
    @WithDefault("false")
    boolean requireKey();
}
