package io.acp.monitor.election;

import java.util.Collection;

/**
 * Primary election among monitors, run by every monitor every round on what its own CDB shows: no
 * messages, no votes. The live monitors are this one plus every monitor whose node is {@code alive}
 * in this node's membership view; the primary is the one with the lowest node id. Every monitor
 * that sees the same live set picks the same primary, so a connected part of the cluster has exactly
 * one, and the two sides of a split each have their own until they hear each other again.
 *
 * <p>Terms count primary changes. Transitions of one monitor, per round:
 * <pre>
 *   from        condition                                     to          term
 *   (start)     self is lowest live id                        PRIMARY     max(seen) + 1
 *   (start)     another live monitor has a lower id           SECONDARY   max(seen) + 1
 *   PRIMARY     a lower id became live (heal, new monitor)    SECONDARY   max(seen) + 1
 *   SECONDARY   the primary is no longer live, self lowest    PRIMARY     max(seen) + 1
 *   SECONDARY   the primary changed to another monitor        SECONDARY   max(seen) + 1
 *   any         same primary                                  same        max(seen)
 * </pre>
 * where max(seen) is the highest of this monitor's term and the terms the live monitors publish, so
 * terms only grow and a healed cluster converges on the highest. Within one term and one connected
 * part there is at most one primary.
 */
public final class Election {

    private final String self;
    private long term;
    private String primary;

    public Election(String self) {
        this.self = self;
    }

    /** One round: {@code live} are the other monitors this node sees alive (self may be included, it is ignored). */
    public synchronized Decision next(Collection<MonitorPeer> live) {
        Decision d = decide(self, term, primary, live);
        term = d.term();
        primary = d.primary();
        return d;
    }

    /** The pure rule behind {@link #next}. */
    public static Decision decide(String self, long term, String lastPrimary, Collection<MonitorPeer> live) {
        String lowest = self;
        long maxTerm = term;
        for (MonitorPeer p : live) {
            if (p.node().compareTo(lowest) < 0) {
                lowest = p.node();
            }
            maxTerm = Math.max(maxTerm, p.term());
        }
        long next = lowest.equals(lastPrimary) ? maxTerm : maxTerm + 1;
        return new Decision(lowest.equals(self) ? Role.PRIMARY : Role.SECONDARY, next, lowest);
    }
}
