package io.acp.metrics;

import io.acp.cluster.service.ClusterService;
import io.acp.rest.RestGateway;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /metrics}: one scrape target for the whole cluster. Any node answers with every node's and
 * object's latest stats from its CDB ({@link ClusterExposition}) followed by this process' own
 * meters (JVM, HTTP server; Micrometer's Prometheus registry, also alone at {@code /q/metrics}).
 * Runs on a worker thread: it walks the CDB's reports.
 */
@Path("/metrics")
@Tag(name = "metrics", description = "Prometheus exposition")
public class MetricsResource {

    /** The Prometheus text format, version 0.0.4. */
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    @Inject
    ClusterService cluster;

    @Inject
    PrometheusMeterRegistry registry;

    @Inject
    MetricsConfig config;

    @Inject
    RestGateway gateway;

    @GET
    @Produces(TEXT_FORMAT)
    @Operation(operationId = "scrapeMetrics", summary = "The cluster's stats (acp_stat_*, labels node, type, id) and this process' meters, in the Prometheus text format.")
    public String scrape(@Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (config.requireKey()) {
            gateway.authenticate(authorization);
        }
        String clusterPart = cluster.running()
                ? new ClusterExposition(config.maxSeries()).render(cluster.cdb(), System.currentTimeMillis())
                : "";
        return clusterPart + registry.scrape();
    }
}
