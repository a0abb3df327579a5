package io.acp.cluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the cluster service: the CDB and its journal. */
@ConfigMapping(prefix = "acp.cluster")
public interface ClusterConfig {

    /** Stats samples kept per (object, node) for charts; 300 is five minutes at 1 s. */
    @WithDefault("300")
    int statsHistory();

    /** Journal settings. */
    Journal journal();

    /** Tombstones of deleted objects are collected after this, once every node has seen them. */
    @WithDefault("24h")
    Duration tombstoneTtl();

    /**
     * Entries from other nodes whose version is further ahead of this node's clock are refused
     * (counted by sender in {@code sync.refused.clock-ahead.<sender>}) and never move the local
     * clock, so one bad clock or forged version cannot freeze an object for good.
     */
    @WithDefault("60s")
    Duration maxClockAhead();

    /** Replication of the CDB to the other nodes of the cluster (io.acp.cluster.sync). */
    Sync sync();

    /** The stats history this node keeps of what it reports (io.acp.cluster.history). */
    History history();

    /** The L3 bridge to a remote cluster's bridge node over TLS (io.acp.cluster.bridge). */
    Bridge bridge();

    interface Journal {
        /** Compact the journal into a snapshot once it grows past this many bytes. */
        @WithDefault("16777216")
        long compactBytes();

        /** fsync before acknowledging a write. Turn off only for throwaway test nodes. */
        @WithDefault("true")
        boolean fsync();
    }

    interface History {
        /** Most (object, metric) series kept; each costs about 37 KiB (an hour at 1 s, a day at 1 min, 30 days at 10 min). */
        @WithDefault("4096")
        int maxSeries();

        /**
         * How often what changed in the history is written to the data dir (a frame appended to
         * {@code history/stats.log}; the whole store to {@code stats.bin} at start and once the log
         * is as big as it), so a restart loses at most this much.
         */
        @WithDefault("1m")
        Duration snapshotInterval();
    }

    interface Sync {
        /** Replicate this node's CDB with the other nodes; off for a single node. */
        @WithDefault("false")
        boolean enabled();

        /** Name of the cluster; nodes with another cluster id on the same group ignore each other. */
        @WithDefault("acp")
        String clusterId();

        /** Shared secret the datagram keys are derived from (at least 16 characters); required when enabled. */
        Optional<String> secret();

        /** The secret before the last rotation, still accepted on receive (not used to send). */
        Optional<String> previousSecret();

        /** {@code multicast}, or {@code unicast} (to the configured peers) where the network blocks multicast. */
        @WithDefault("multicast")
        String mode();

        /** In unicast mode: {@code host:port} this node listens and sends on. */
        @WithDefault("0.0.0.0:7447")
        String unicastBind();

        /** In unicast mode: {@code host:port} of every other node (listing this node too is harmless). */
        Optional<List<String>> peers();

        /** IPv4 multicast group of the cluster's L2 domain (239.0.0.0/8 is site-local). */
        @WithDefault("239.192.77.1")
        String group();

        /** UDP port of the multicast group. */
        @WithDefault("7447")
        int port();

        /** Network interface multicast is sent and joined on; always pinned, never left to routing. */
        @WithDefault("lo")
        String multicastInterface();

        /** Multicast TTL; 1 keeps datagrams inside the L2 domain. */
        @WithDefault("1")
        int ttl();

        /**
         * A delta flush that costs a signature (sealed deltas: a large group, or an L3 bridge) follows
         * the previous one no sooner than this, so signatures per second stay bounded whatever the
         * write rate; tagged flushes (small groups) are not spaced, they go out as soon as the sync
         * thread is free.
         */
        @WithDefault("5ms")
        Duration flushInterval();

        /**
         * While the sync thread is backed up (16 or more received messages wait for it), the longest a delta
         * waits for its bundle to fill a datagram; a full bundle goes out at once.
         */
        @WithDefault("20ms")
        Duration maxLinger();

        /**
         * Most slots (object, meta or stats of one key) whose deltas wait to be sent; a write to a
         * new slot beyond it is counted ({@code sync.deltas.overflowed}) and left to anti-entropy.
         */
        @WithDefault("4096")
        int maxPendingDeltas();

        /** How often this node multicasts a heartbeat with its state digest. */
        @WithDefault("500ms")
        Duration heartbeatInterval();

        /** A peer not heard from for this long is suspect. */
        @WithDefault("2s")
        Duration suspectAfter();

        /** A peer not heard from for this long is dead (its meta and stats are kept, but for those held without its seal). */
        @WithDefault("6s")
        Duration deadAfter();

        /** How often this node pulls from one peer whose digest differs from its own. */
        @WithDefault("1s")
        Duration antiEntropyInterval();

        /** Most entry bytes one anti-entropy reply carries; the rest follows in later rounds. */
        @WithDefault("262144")
        int antiEntropyMaxBytes();

        /** Largest datagram sent, header and tag included; keep it below the path MTU. */
        @WithDefault("1400")
        int maxDatagramBytes();

        /** Fragments of a message that do not all arrive within this are dropped. */
        @WithDefault("2s")
        Duration reassemblyTimeout();

        /** Most bytes held for unfinished fragmented messages. */
        @WithDefault("4194304")
        long reassemblyMaxBytes();
    }

    interface Bridge {
        /** Relay CDB changes with a remote cluster (another L2 domain) through this node. */
        @WithDefault("false")
        boolean enabled();

        /** Address this bridge accepts the remote bridge's TLS links on. */
        @WithDefault("0.0.0.0")
        String listenHost();

        /** TCP port this bridge accepts links on. */
        @WithDefault("7448")
        int listenPort();

        /** {@code host:port} of the remote cluster's bridge to connect to; absent, this side only accepts. */
        Optional<String> peer();

        /** PEM certificate of the remote cluster's CA: the only issuer whose nodes may link; required when enabled. */
        Optional<String> remoteCa();

        /** First wait before reconnecting a lost link; doubles on each failure. */
        @WithDefault("500ms")
        Duration reconnectBackoff();

        /** Longest wait between reconnect attempts. */
        @WithDefault("30s")
        Duration reconnectBackoffMax();

        /** Largest entry frame sent or accepted on the link; a bigger one received breaks the link. */
        @WithDefault("16777216")
        int maxFrameBytes();

        /**
         * What the remote cluster may write here, as {@code type/id} or {@code type/*} (e.g.
         * {@code system/*,network/vlan10}); unset, nothing: this cluster only mirrors itself to the remote side.
         */
        Optional<List<String>> writable();
    }
}
