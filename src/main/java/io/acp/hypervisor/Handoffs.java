package io.acp.hypervisor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Systems in the middle of a migration on this node, going out or coming in. While a system is
 * handed off, its domain may exist here although the CDB (which may lag behind the other node's
 * write) assigns the system elsewhere: the reconcile must leave that copy alone, and other
 * operations on the system wait until the migration ends. Each entry expires, so a migration whose
 * source vanished half-way cannot protect a stray copy for ever.
 */
final class Handoffs {

    private final Map<String, Long> until = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    Handoffs(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Marks {@code id} handed off for at most {@code ttl}; false if it already is. */
    boolean begin(String id, Duration ttl) {
        long deadline = nanoTime.getAsLong() + ttl.toNanos();
        return until.putIfAbsent(id, deadline) == null || replaceExpired(id, deadline);
    }

    private boolean replaceExpired(String id, long deadline) {
        Long old = until.get(id);
        return old != null && !live(old) && until.replace(id, old, deadline);
    }

    /** Keeps {@code id} handed off for {@code ttl} from now (the target waits for the CDB to show it). */
    void extend(String id, Duration ttl) {
        until.put(id, nanoTime.getAsLong() + ttl.toNanos());
    }

    void end(String id) {
        until.remove(id);
    }

    boolean active(String id) {
        Long deadline = until.get(id);
        if (deadline != null && !live(deadline)) {
            until.remove(id, deadline);
            return false;
        }
        return deadline != null;
    }

    private boolean live(long deadline) {
        return nanoTime.getAsLong() - deadline < 0;
    }
}
