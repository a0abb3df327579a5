package io.acp.ha;

/**
 * The operations of the replicated lease table ({@link LeaseTable}). Each carries {@code now}, the
 * proposer's clock when it proposed, so that every member applies it alike; the table's own clock
 * is the highest {@code now} seen, and never goes back.
 */
sealed interface LeaseOp {

    /** Renews (or takes) {@code node}'s liveness lease for {@code durationMillis} from {@code now}. Answer: a {@link LeaseResult.Granted}. */
    record Renew(String node, long now, long durationMillis) implements LeaseOp {
    }

    /**
     * Makes {@code node} the owner of {@code system}: allowed when the system has no owner, is owned
     * by {@code node} already, or its owner's lease expired at least the fencing bound plus the
     * margin before {@code now}; {@code node} itself must hold a live lease. Answer: {@link LeaseResult.Owner} or {@link LeaseResult.Refused}.
     */
    record Take(String system, String node, long now) implements LeaseOp {
    }

    /**
     * Hands {@code system} from its owner {@code from} (which must hold a live lease) to {@code to}:
     * a planned move (evacuation, migration) by the node that has stopped its copy.
     */
    record Hand(String system, String from, String to, long now) implements LeaseOp {
    }

    /** {@code node} gives up {@code system} (it is no longer HA, or deleted); no-op unless it owns it. */
    record Release(String system, String node, long now) implements LeaseOp {
    }

    /** The entry a new leader commits first (Raft's no-op of the new term). */
    record NewTerm() implements LeaseOp {
    }
}
