package io.acp.hypervisor;

import io.smallrye.mutiny.Uni;

/**
 * How a migration hands an HA system's ownership to its target (io.acp.ha implements it; the
 * hypervisor does not depend on HA). Called by the source before the system moves, while both
 * nodes hold a migration record of it, so neither node's fencing starts or stops it meanwhile.
 */
@FunctionalInterface
public interface OwnershipHandover {

    /** Without HA: nothing to hand over. */
    OwnershipHandover NONE = (system, from, to) -> Uni.createFrom().voidItem();

    /**
     * Makes {@code to} the owner of {@code system} in place of {@code from}; fails (naming the rule)
     * when the ownership group refuses or cannot be reached, and then the migration does not happen.
     */
    Uni<Void> hand(String system, String from, String to);
}
