package io.acp.agent;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the agent: the node's mutual-TLS entry point for other nodes and remote operators. */
@ConfigMapping(prefix = "acp.agent")
public interface AgentConfig {

    /** Address the TLS port listens on; all interfaces by default, since other nodes must reach it. */
    @WithDefault("0.0.0.0")
    String host();

    /** TLS port; 0 picks a free one (tests). */
    @WithDefault("7441")
    int port();

    /**
     * TLS port for joining nodes (no client certificate, join exchange only); opened only on a node
     * holding the CA key; 0 picks a free one (tests), -1 never opens it.
     */
    @WithDefault("7442")
    int joinPort();

    /** The host:port other nodes are told to use; default: the node's host name and the bound port. */
    Optional<String> advertise();

    /** TLS protocol versions accepted; TLSv1.2 only if listed here. */
    @WithDefault("TLSv1.3")
    List<String> tlsProtocols();

    /** A connection with no complete frame for this long is closed (also bounds unfinished handshakes). */
    @WithDefault("5m")
    Duration idleTimeout();

    /** Largest request frame accepted, in bytes. */
    @WithDefault("1048576")
    int maxFrameBytes();

    /** Failed authentications allowed per connection before it is closed. */
    @WithDefault("5")
    int maxAuthFailures();

    /** Open connections allowed per client address. */
    @WithDefault("256")
    int maxConnectionsPerClient();

    /** New connections accepted per client address per second (on average; the same number as burst). */
    @WithDefault("50")
    int connectionsPerSecond();

    /** Requests per second all connections of one client address may send together (also the burst). */
    @WithDefault("20000")
    int requestsPerSecond();

    /** How long a request routed to another node waits for that node's answer (and for connecting). */
    @WithDefault("10s")
    Duration routeTimeout();

    /**
     * How long a routed change of a system (migrate, backup, restore, snapshot, template, create …),
     * which may run for minutes on the target node, waits for that node's answer: long enough that the
     * caller's own timeout decides. Connecting is still bounded by {@link #routeTimeout()}, and a
     * dropped link fails the request at once.
     */
    @WithDefault("1h")
    Duration jobRouteTimeout();
}
