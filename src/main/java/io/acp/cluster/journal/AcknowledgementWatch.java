package io.acp.cluster.journal;

import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Notices a delivery of acknowledgements that does not return. Whatever a caller chains onto a
 * write's acknowledgement runs on the journal's one acknowledging thread; if that code blocks, no
 * later write of the node is acknowledged, and its callers (a request, a service's start) wait
 * with no thread of their own to show for it. The writer asks now and then ({@link #check}); a
 * delivery held past {@link #HELD_AFTER_NANOS} is logged once, with the thread's stack, which
 * names the code that holds it.
 */
final class AcknowledgementWatch {

    private static final Logger LOG = Logger.getLogger(AcknowledgementWatch.class);
    static final long HELD_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_FRAMES = 40;

    private final String journal;
    private volatile Thread thread;
    /** When the delivery under way began ({@link System#nanoTime}, never 0); 0 while none runs. */
    private volatile long since;
    /** The {@link #since} of the delivery last logged; the writer's thread only. */
    private long reported;

    AcknowledgementWatch(String journal) {
        this.journal = journal;
    }

    /** {@code delivery}, timed. */
    Runnable watched(Runnable delivery) {
        return () -> {
            thread = Thread.currentThread();
            long now = System.nanoTime();
            since = now == 0 ? 1 : now;
            try {
                delivery.run();
            } finally {
                since = 0;
            }
        };
    }

    /** Logs the delivery under way if it has run for {@link #HELD_AFTER_NANOS} and was not logged yet. */
    void check(long nowNanos) {
        long began = since;
        Thread t = thread;
        if (began == 0 || began == reported || t == null || nowNanos - began < HELD_AFTER_NANOS) {
            return;
        }
        reported = began;
        StringBuilder stack = new StringBuilder();
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
            stack.append("\n    at ").append(frames[i]);
        }
        LOG.warnf("journal %s: acknowledging a write has taken %.1f s; no later write of this node is acknowledged until it returns. "
                + "Code chained onto a write's acknowledgement must not block; thread \"%s\" is at:%s",
                journal, (nowNanos - began) / 1e9, t.getName(), stack);
    }
}
