package io.acp.cluster.sync.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * The virtual time of one simulated run and the single queue of everything that happens in it:
 * tasks run in time order on whichever thread calls {@link #runFor}, ties broken by the order they
 * were scheduled in, so one seed gives one run. Each node's sync thread is a {@link SimExecutor}
 * view onto this queue; the simulated network schedules its deliveries here too.
 */
final class SimWorld {

    /** One queued task; {@code owner} is null for the network, else the executor it belongs to. */
    record Task(long atNanos, long seq, SimExecutor owner, boolean periodic, Runnable run) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final long wallEpochMillis;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final SimTrace trace;
    private long nowNanos;
    private long seq;

    /** @param wallEpochMillis the wall-clock time at virtual time zero */
    SimWorld(long wallEpochMillis, SimTrace trace) {
        this.wallEpochMillis = wallEpochMillis;
        this.trace = trace;
    }

    synchronized long nanoTime() {
        return nowNanos;
    }

    synchronized long wallMillis() {
        return wallEpochMillis + TimeUnit.NANOSECONDS.toMillis(nowNanos);
    }

    SimTrace trace() {
        return trace;
    }

    synchronized Task schedule(SimExecutor owner, long delayNanos, boolean periodic, Runnable run) {
        Task t = new Task(nowNanos + Math.max(0, delayNanos), seq++, owner, periodic, run);
        queue.add(t);
        return t;
    }

    synchronized void cancel(Task t) {
        queue.remove(t);
    }

    /** Runs every task due within the next {@code nanos} of virtual time, then sets the clock to that end. */
    void runFor(long nanos) {
        long end;
        synchronized (this) {
            end = nowNanos + nanos;
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.atNanos() > end) {
                    nowNanos = end;
                    return;
                }
                queue.poll();
                nowNanos = t.atNanos();
            }
            if (t.owner() != null && t.owner().isShutdown() && !t.owner().runsAfterShutdown(t)) {
                continue;
            }
            t.run().run();
        }
    }

    /** Runs, now, the tasks of {@code owner} already due (a stopping executor draining its queue). */
    void drainDue(SimExecutor owner) {
        while (true) {
            Task due = null;
            synchronized (this) {
                List<Task> all = new ArrayList<>(queue);
                all.sort(null);
                for (Task t : all) {
                    if (t.atNanos() <= nowNanos && t.owner() == owner && owner.runsAfterShutdown(t)) {
                        due = t;
                        break;
                    }
                }
                if (due == null) {
                    return;
                }
                queue.remove(due);
            }
            due.run().run();
        }
    }
}
