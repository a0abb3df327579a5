package io.acp.ha;

import java.util.List;

/** What the lease table answers to a {@link LeaseOp}. */
sealed interface LeaseResult {

    /**
     * {@code node}'s lease now runs until {@code expiresAt} (table time), and these are the systems
     * it owns at that point of the log: the only ones it may run until its next renewal.
     */
    record Granted(String node, long expiresAt, List<String> owned) implements LeaseResult {
    }

    /** {@code system} is owned by {@code node} since this change. */
    record Owner(String system, String node) implements LeaseResult {
    }

    /** The change was refused; {@code reason} names the rule and the node at fault. */
    record Refused(String system, String reason) implements LeaseResult {
    }

    /** Nothing to say (a release, a new term). */
    record Done() implements LeaseResult {
    }
}
