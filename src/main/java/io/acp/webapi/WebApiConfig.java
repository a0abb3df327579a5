package io.acp.webapi;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of the WebAPI: the node's HTTP listener (web UI and WebSocket) and the WebSocket's
 * bounds. The listener only exists in {@code acp node run} on a node whose {@code acp.node.services}
 * names {@code webapi}; {@code host} and {@code port} become {@code quarkus.http.host/port}.
 */
@ConfigMapping(prefix = "acp.webapi")
public interface WebApiConfig {

    /** Address the HTTP listener binds; loopback by default: reach it from elsewhere through a reverse proxy (docs/webui.md). */
    @WithDefault("127.0.0.1")
    String host();

    /** HTTP port of the web UI and the WebSocket ({@code /api/ws}). */
    @WithDefault("7480")
    int port();

    /**
     * Port of the HTTPS listener: the same web UI, WebSocket, REST API and metrics over TLS with the
     * node's certificate, where a REST client may authenticate by an operator certificate of the
     * cluster CA instead of an API key (docs/rest.md). -1 (the default): no HTTPS listener; 0: any free port.
     */
    @WithDefault("-1")
    int httpsPort();

    /** Address the HTTPS listener binds (only with {@code https-port}); loopback unless set, like the HTTP listener. */
    @WithDefault("127.0.0.1")
    String httpsHost();

    /**
     * Public origins (scheme://host[:port]) a browser may open the WebSocket from, e.g. the reverse
     * proxy's. Unset: the node's own listen address ({@code http(s)://host:port}, and localhost's
     * for a loopback host). The Host header is never trusted for this.
     */
    Optional<List<String>> allowedOrigins();

    /** Largest WebSocket message accepted, in bytes; a larger one closes the connection with status 1009. */
    @WithDefault("65536")
    int maxMessageBytes();

    /** Requests per second a connection may send on average; more are answered {@code rate_limited}. */
    @WithDefault("50")
    int requestsPerSecond();

    /** Requests a connection may send at once above the average rate. */
    @WithDefault("100")
    int requestBurst();

    /** A connection not authenticated within this long after opening is closed (status 1008). */
    @WithDefault("10s")
    Duration authTimeout();

    /** Failed authentications allowed per connection before it is closed (status 1008). */
    @WithDefault("5")
    int maxAuthFailures();

    /** How long a session token ({@code webapi.login}) stays valid; it survives restarts of the node. */
    @WithDefault("12h")
    Duration sessionTtl();

    /** A browser console (VNC or serial) with no byte either way for this long is closed; the page offers to reconnect. */
    @WithDefault("15m")
    Duration consoleIdleTimeout();

    /** Consoles this node's WebAPI relays at once; one more is refused {@code unavailable}. */
    @WithDefault("16")
    int maxConsoles();
}
