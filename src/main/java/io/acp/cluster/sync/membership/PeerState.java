package io.acp.cluster.sync.membership;

import java.util.Locale;

/**
 * A peer's state in one node's view. Transitions (see {@link Membership}):
 * <pre>
 *  (unknown) --heard--> ALIVE --silent suspect-after--> SUSPECT --silent dead-after--> DEAD
 *  SUSPECT, DEAD --heard--> ALIVE        any state --heard with a newer epoch--> ALIVE (re-admitted)
 * </pre>
 */
public enum PeerState {
    ALIVE, SUSPECT, DEAD;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
