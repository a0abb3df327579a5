package io.acp.cluster.sync.simulation;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node's sync thread in a simulation: a {@link ScheduledExecutorService} whose tasks are queued
 * in the shared {@link SimWorld} and run in virtual time on the thread that steps the world. Shutdown
 * follows {@code ScheduledThreadPoolExecutor}'s defaults: queued one-shot tasks still run, periodic
 * ones stop; {@link #shutdownNow} drops everything.
 */
final class SimExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private final SimWorld world;
    private final String name;
    private volatile boolean shutdown;
    private volatile boolean killed;

    SimExecutor(SimWorld world, String name) {
        this.world = world;
        this.name = name;
    }

    boolean runsAfterShutdown(SimWorld.Task t) {
        return !killed && !t.periodic();
    }

    private void requireOpen() {
        if (shutdown) {
            throw new RejectedExecutionException("simulated sync thread of " + name + " is shut down");
        }
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(() -> {
            command.run();
            return null;
        }, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        requireOpen();
        SimFuture<V> f = new SimFuture<>();
        f.task = world.schedule(this, unit.toNanos(delay), false, () -> f.run(callable));
        return f;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return periodic(command, unit.toNanos(initialDelay), unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return periodic(command, unit.toNanos(initialDelay), unit.toNanos(delay)); // tasks take no virtual time
    }

    private ScheduledFuture<?> periodic(Runnable command, long initial, long period) {
        requireOpen();
        SimFuture<Void> f = new SimFuture<>();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (f.isCancelled() || shutdown) {
                return;
            }
            command.run();
            f.task = world.schedule(this, period, true, next[0]);
        };
        f.task = world.schedule(this, initial, true, next[0]);
        return f;
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        killed = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    /** Runs what is already due, as a real executor would before terminating; never waits in real time. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        if (!killed) {
            world.drainDue(this);
        }
        return true;
    }

    /** A task's future in virtual time. */
    private final class SimFuture<V> implements ScheduledFuture<V> {
        volatile SimWorld.Task task;
        private volatile boolean cancelled;
        private volatile boolean done;
        private V value;
        private Throwable failure;

        void run(Callable<V> c) {
            if (cancelled) {
                return;
            }
            try {
                value = c.call();
            } catch (Exception e) {
                failure = e;
            } finally {
                done = true;
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(task.atNanos() - world.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            world.cancel(task);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public V get() throws ExecutionException {
            if (cancelled) {
                throw new CancellationException();
            }
            if (!done) {
                throw new IllegalStateException("a simulated task's result is only there once the world has run it");
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return value;
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws ExecutionException {
            return get();
        }
    }
}
