package io.acp.ha;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the HA service (docs/operations.md, "High availability"). Every member must use the same timings. */
@ConfigMapping(prefix = "acp.ha")
public interface HaConfig {

    /**
     * Every voting member of the ownership group as {@code node@host:port}, this node included; an
     * odd number (with two nodes, add a witness). Unset: the HA service refuses to start.
     */
    Optional<List<String>> members();

    /** Address this node's ownership member listens on (mutual TLS with the node's certificate). */
    @WithDefault("0.0.0.0")
    String host();

    /** TCP port of this node's ownership member. */
    @WithDefault("7446")
    int port();

    /** A witness votes in the ownership group and runs no systems (the third member of a two-node cluster). */
    @WithDefault("false")
    boolean witness();

    /** How long a committed renewal keeps a node's lease. */
    @WithDefault("10s")
    Duration lease();

    /** How often a node renews its lease: at most half of {@code lease}. */
    @WithDefault("2s")
    Duration renewInterval();

    /** How often fencing and the failover decision run. */
    @WithDefault("500ms")
    Duration tick();

    /** The longest a destroy of an HA system may take; part of the fencing bound. */
    @WithDefault("5s")
    Duration stopTimeout();

    /** Added to the fencing bound before a failed node's systems move: covers clock skew between nodes. */
    @WithDefault("3s")
    Duration margin();

    /** How long a lease operation waits for the ownership leader to commit it. */
    @WithDefault("3s")
    Duration proposeTimeout();

    /** Raft: how long a follower waits for a leader before it stands for election (randomised by MicroRaft). */
    @WithDefault("2s")
    Duration electionTimeout();

    /** The fence guard: a child process that kills this node's HA VMMs at the lease end if acp dies or hangs. */
    Guard guard();

    /** Settings of the fence guard (docs/operations.md, "High availability"). */
    interface Guard {

        /**
         * Start the guard (bash) beside a member that runs systems. Off: a dead or hung acp leaves its
         * HA systems running past its lease, and a survivor may start a second copy.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * A watchdog device ({@code /dev/watchdog}) the guard pets on every ownership tick: if acp hangs
         * the machine reboots after the device's timeout. Unset: no device is used.
         */
        Optional<java.nio.file.Path> watchdogDevice();

        /**
         * Under systemd (NOTIFY_SOCKET set, the unit with NotifyAccess=all): the watchdog timeout the
         * guard sets for the unit at its start (WATCHDOG_USEC) and keeps alive with WATCHDOG=1 while
         * acp ticks; a hung acp is then killed and restarted by systemd. 0 turns it off.
         */
        @WithDefault("30s")
        java.time.Duration systemdWatchdog();
    }

    /** Nodes to restart a failed node's systems on, most preferred first; nodes not listed come after, by free memory. */
    Optional<List<String>> priority();
}
