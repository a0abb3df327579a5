package io.acp.monitor;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How long each alarm's condition has held without a break, and how long it has been gone, from
 * the hits of successive rounds. A raise needs {@code heldFor >= raiseDelay}, a clear needs
 * {@code absentFor >= clearDelay}; a condition that comes and goes restarts the count, so it neither
 * raises nor clears (no flapping). Every monitor keeps one, so a secondary that becomes primary
 * already knows how long each condition has held. Used by the monitor's one thread.
 */
public final class Hysteresis {

    /** Ids absent this long are forgotten (their alarms, if any, have long been cleared). */
    private static final long FORGET_AFTER_MILLIS = 3_600_000;

    private final long startMillis;
    private final Map<String, Long> presentSince = new HashMap<>();
    private final Map<String, Long> lastPresent = new HashMap<>();

    /** @param startMillis when this monitor began observing: a condition never seen counts as absent since then */
    public Hysteresis(long startMillis) {
        this.startMillis = startMillis;
    }

    /** Records one round: the alarm ids whose conditions hold now. */
    public void observe(long nowMillis, Set<String> present) {
        presentSince.keySet().retainAll(present);
        for (String id : present) {
            presentSince.putIfAbsent(id, nowMillis);
            lastPresent.put(id, nowMillis);
        }
        lastPresent.values().removeIf(t -> nowMillis - t > FORGET_AFTER_MILLIS);
    }

    /** How long the condition has held without a break; -1 if it does not hold now. */
    public long heldFor(String id, long nowMillis) {
        Long since = presentSince.get(id);
        return since == null ? -1 : nowMillis - since;
    }

    /** How long the condition has been gone (0 while it holds); since this monitor started if never seen. */
    public long absentFor(String id, long nowMillis) {
        if (presentSince.containsKey(id)) {
            return 0;
        }
        return nowMillis - lastPresent.getOrDefault(id, startMillis);
    }
}
