package io.acp.hypervisor;

import io.acp.model.Progress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Where this node's system operations say how far they have come: the task log the API service
 * installs ({@link Progress.Sink}), which finds the operation's running task. Reports of an
 * operation nobody asked for as a task go nowhere.
 */
final class ProgressReports {

    private static final Logger LOG = Logger.getLogger(ProgressReports.class);
    /** How often a running libvirt job's figures are read (the task log writes at most two a second anyway). */
    static final Duration POLL = Duration.ofMillis(500);

    private volatile Progress.Sink sink = Progress.Sink.NONE;

    /** A running poll; closing it stops it. */
    interface Poll extends AutoCloseable {
        @Override
        void close();
    }

    void sendTo(Progress.Sink s) {
        sink = s == null ? Progress.Sink.NONE : s;
    }

    /** Operation {@code op} ({@code hypervisor.migrate}) on system {@code id} has come as far as {@code p}. */
    void system(String op, String id, Progress p) {
        report(op, SystemReports.key(id).toString(), p);
    }

    void report(String op, String object, Progress p) {
        try {
            sink.report(op, object, p);
        } catch (RuntimeException e) {
            LOG.debugf("progress of %s on %s not recorded: %s", op, object, e.getMessage());
        }
    }

    /**
     * Reads {@code figures} every {@link #POLL} on a thread of its own, reporting each it gets, until
     * the answer is closed: for a long blocking libvirt call on the hypervisor's one thread
     * (which the reads must therefore not need).
     */
    Poll poll(String op, String id, Supplier<Optional<Progress>> figures) {
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "acp-progress-" + id);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> {
            try {
                figures.get().ifPresent(p -> system(op, id, p));
            } catch (RuntimeException e) {
                LOG.debugf("progress of %s on system %s not read: %s", op, id, e.getMessage());
            }
        }, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        return () -> poller.shutdownNow();
    }
}
