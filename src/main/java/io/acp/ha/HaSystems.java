package io.acp.ha;

import java.util.Set;

/**
 * The HA systems of this node as fencing sees them: which have a running copy here, and the two
 * ways to change that. The real one goes through the hypervisor's start and destroy paths.
 */
interface HaSystems {

    /** HA systems with a copy running (or starting) on this node. */
    Set<String> running();

    /** Starts this node's copy of {@code system}; returns at once, the start runs on a worker. */
    void start(String system);

    /** Kills this node's copy of {@code system} (destroy, not shutdown): it must be gone within the fencing bound. */
    void stop(String system);

    /**
     * Systems in a migration to or from this node: their lease is being handed over with them, so
     * while this node's lease is live its fencing neither starts nor stops them (without a lease it
     * stops them as every other).
     */
    default Set<String> held() {
        return Set.of();
    }
}
