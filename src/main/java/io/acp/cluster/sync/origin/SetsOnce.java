package io.acp.cluster.sync.origin;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What one relay of many sealed entries carries (anti-entropy's answers, the L3 bridge): the
 * samples of a stats set share its bytes, and the set brings them all, so it goes once however
 * many of its samples the relay covers. One per relay; the set's bytes are compared by identity,
 * as every sample of a decoded or kept set holds the same array.
 */
public final class SetsOnce {

    private final Set<byte[]> sets = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Whether {@code s} goes in the relay: anything but a sample of a set already in it. */
    public boolean takes(SealedEntry s) {
        return !s.inStatsSet() || sets.add(s.encoded());
    }
}
