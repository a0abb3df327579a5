package io.acp.testing;

import io.acp.cluster.journal.Journal;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Code that blocks on a journal's acknowledging thread, as a careless continuation of a write
 * would: every later write's acknowledgement then waits behind it.
 */
public final class HeldAcknowledgements {

    private HeldAcknowledgements() {
    }

    /**
     * Chains {@link #hold} onto a write's acknowledgement, so that it runs on the acknowledging
     * thread until {@code released}. If the write was acknowledged before the step was chained
     * on, the step runs at once on this thread instead: it then returns, and another write is tried.
     */
    public static void holdUntil(Journal journal, CountDownLatch released) {
        for (int i = 0; i < 1_000; i++) {
            Thread caller = Thread.currentThread();
            boolean[] ranHere = new boolean[1];
            journal.append(entry("held-" + i)).subscribe().with(ok -> {
                if (Thread.currentThread() == caller) {
                    ranHere[0] = true;
                } else {
                    hold(released);
                }
            });
            if (!ranHere[0]) {
                return;
            }
        }
        throw new AssertionError("every write was acknowledged before its step was chained on");
    }

    /** An object of pool {@code id}, written by node n1. */
    public static ObjectEntry entry(String id) {
        return new ObjectEntry(ObjectKey.of(ObjectType.STORAGE, id), "pool", Json.object(), new Version(1, "n1"), false);
    }

    /** The frame a log names as what holds the acknowledgements. */
    static void hold(CountDownLatch released) {
        try {
            released.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
