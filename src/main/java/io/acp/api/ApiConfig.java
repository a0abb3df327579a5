package io.acp.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** Settings of the local API: its Unix socket and loopback TCP port. */
@ConfigMapping(prefix = "acp.api")
public interface ApiConfig {

    /** Path of the Unix socket; its directory is created with mode 0750 and the socket gets 0660. */
    @WithDefault("/run/acp/api.sock")
    Path socket();

    /** Loopback address of the TCP listener; anything but a loopback address is refused at start. */
    @WithDefault("127.0.0.1")
    String host();

    /** TCP port; 0 picks a free one (tests). */
    @WithDefault("7440")
    int port();

    /** Largest request frame accepted, in bytes. */
    @WithDefault("1048576")
    int maxFrameBytes();

    /** A connection with no complete frame for this long is closed. */
    @WithDefault("10m")
    Duration idleTimeout();

    /** Failed authentications allowed per connection before it is closed. */
    @WithDefault("5")
    int maxAuthFailures();

    /** Connections open at once on each of the local listeners (the Unix socket, the TCP port); more are closed at once. */
    @WithDefault("512")
    int maxConnections();

    /**
     * Connections open at once per peer on a local listener: per uid on the Unix socket (SO_PEERCRED),
     * per address on TCP (all local users share 127.0.0.1 there; the Unix socket tells them apart).
     */
    @WithDefault("64")
    int maxConnectionsPerPeer();

    /** The task log: how much of this node's task history the cluster keeps. */
    Tasks tasks();

    /** Retention of the tasks this node ran (each node prunes its own, after every task and at start). */
    interface Tasks {

        /** Finished tasks of this node kept; older ones beyond this count are deleted. */
        @WithDefault("1000")
        int maxCount();

        /** Finished tasks of this node older than this are deleted. */
        @WithDefault("7d")
        Duration maxAge();
    }
}
