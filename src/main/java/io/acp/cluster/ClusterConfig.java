package io.acp.cluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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

    interface Journal {
        /** Compact the journal into a snapshot once it grows past this many bytes. */
        @WithDefault("16777216")
        long compactBytes();

        /** fsync before acknowledging a write. Turn off only for throwaway test nodes. */
        @WithDefault("true")
        boolean fsync();
    }
}
