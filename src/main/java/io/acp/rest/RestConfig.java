package io.acp.rest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Settings of the REST API ({@code /api/v1}) on the WebAPI's HTTP listener. It serves only where
 * that listener exists ({@code acp node run} with {@code webapi} in {@code acp.node.services}).
 */
@ConfigMapping(prefix = "acp.rest")
public interface RestConfig {

    /** Requests per second one API key may send on average over REST; more are answered 429 {@code rate_limited}. */
    @WithDefault("50")
    int requestsPerSecond();

    /** Requests one API key may send at once above the average rate. */
    @WithDefault("100")
    int requestBurst();

    /**
     * Largest request body accepted, in bytes; a larger one is answered 413 {@code frame_too_large}
     * before it is read. Also the listener's own cap ({@code quarkus.http.limits.max-body-size}).
     */
    @WithDefault("65536")
    int maxBodyBytes();

    /** How long a request may run before it is answered 504 {@code timeout} (the operation itself is not cancelled). */
    @WithDefault("10m")
    Duration timeout();
}
