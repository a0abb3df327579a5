package io.acp.framework;

import io.acp.node.ServiceStatus;
import io.acp.node.ServiceState;
import io.acp.node.Timers;
import io.acp.node.Health;
import io.acp.node.ServiceContext;
import io.acp.node.ManagedService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One configured service under the manager: its lifecycle state, last health, and restart
 * bookkeeping.
 *
 * <pre>
 * from       event                        to
 * STOPPED    start                        STARTING
 * STARTING   start succeeded              RUNNING
 * STARTING   start failed                 FAILED   (first start: the manager rolls back;
 *                                                   a restart: stopped, next restart scheduled)
 * RUNNING    context.failed(cause)        FAILED   (stopped, restart scheduled after backoff)
 * FAILED     backoff elapsed              STARTING (restarts + 1)
 * any        stop                         STOPPING, then STOPPED (FAILED if stop itself failed)
 * </pre>
 *
 * Every start and stop bumps a generation number; callbacks from an earlier incarnation (a late
 * {@code failed()}, a start that completes after a stop) compare theirs and are ignored.
 */
final class SupervisedService {

    private static final Logger LOG = Logger.getLogger(SupervisedService.class);

    private final ManagedService service;
    private final String nodeId;
    private final RestartPolicy policy;
    private final Timers timers;
    private final Clock clock;
    private final Consumer<SupervisedService> onChange;
    private final List<String> dependencies;

    // Guarded by this.
    private ServiceState state = ServiceState.STOPPED;
    private Health health = Health.unhealthy("stopped");
    private Instant since;
    private Instant runningSince;
    private int restarts;
    private String lastError;
    private long generation;
    private boolean supervised;
    private Throwable failedWhileStarting;
    private Duration backoff;
    private Cancellable pendingRestart;
    private final Duration stallTimeout;
    private final Duration slowStart;

    SupervisedService(ManagedService service, String nodeId, RestartPolicy policy, Timers timers, Duration stallTimeout, Duration slowStart,
                      Clock clock, Consumer<SupervisedService> onChange) {
        this.service = service;
        this.stallTimeout = stallTimeout;
        this.slowStart = slowStart;
        this.nodeId = nodeId;
        this.policy = policy;
        this.timers = timers;
        this.clock = clock;
        this.onChange = onChange;
        this.dependencies = List.copyOf(new TreeSet<>(service.dependencies()));
        this.since = clock.instant();
        this.backoff = policy.initialBackoff();
    }

    ManagedService service() {
        return service;
    }

    String name() {
        return service.name();
    }

    synchronized ServiceStatus status() {
        return new ServiceStatus(service.name(), state, health, since, restarts, lastError, dependencies);
    }

    /**
     * The first start, during startAll. A failure is returned, not retried: the manager rolls the
     * node back. Once running, later failures are restarted with backoff.
     */
    Uni<Void> start() {
        long gen;
        synchronized (this) {
            gen = ++generation;
            moveTo(ServiceState.STARTING);
        }
        onChange.accept(this);
        long t0 = System.nanoTime();
        return watched(gen, t0)
                .onItem().invoke(() -> {
                    // One line per service: where a slow node start spends its time.
                    LOG.infof("service %s on node %s started in %d ms", service.name(), nodeId, (System.nanoTime() - t0) / 1_000_000);
                    started(gen);
                })
                .onFailure().invoke(cause -> failure(gen, cause, false));
    }

    /** Stops the service (also one waiting to restart); never fails, a stop failure is logged. */
    Uni<Void> stop() {
        long gen;
        Cancellable restart;
        synchronized (this) {
            supervised = false;
            restart = pendingRestart;
            pendingRestart = null;
            if (state == ServiceState.STOPPED) {
                return cancelled(restart);
            }
            gen = ++generation;
            moveTo(ServiceState.STOPPING);
        }
        cancelled(restart);
        onChange.accept(this);
        return Uni.createFrom().deferred(service::stop)
                .onItem().invoke(() -> stopped(gen, null))
                .onFailure().recoverWithItem(cause -> {
                    stopped(gen, cause);
                    return null;
                });
    }

    /** Runs the health check (on a worker) if the service is running, and records a change. */
    void checkHealth() {
        long gen;
        synchronized (this) {
            if (state != ServiceState.RUNNING) {
                return;
            }
            gen = generation;
        }
        Health checked;
        try {
            checked = service.health();
        } catch (RuntimeException e) {
            checked = Health.unhealthy("health check of " + service.name() + " failed: " + message(e));
        }
        synchronized (this) {
            if (gen != generation || state != ServiceState.RUNNING || checked.equals(health)) {
                return;
            }
            health = checked;
        }
        onChange.accept(this);
    }

    private ServiceContext context(long gen) {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public void failed(Throwable cause) {
                runtimeFailure(gen, cause);
            }

            @Override
            public Timers timers() {
                return timers;
            }

            @Override
            public Duration stallTimeout() {
                return stallTimeout;
            }
        };
    }

    private void started(long gen) {
        Throwable failedMeanwhile;
        boolean stale;
        synchronized (this) {
            stale = gen != generation;
            if (!stale) {
                moveTo(ServiceState.RUNNING);
                runningSince = since;
                supervised = true;
            }
            failedMeanwhile = failedWhileStarting;
            failedWhileStarting = null;
        }
        if (stale) {
            // Stopped while this start was under way: the service now runs unwanted.
            LOG.warnf("service %s finished starting after it was stopped; stopping it again", service.name());
            Uni.createFrom().deferred(service::stop)
                    .subscribe().with(ok -> { }, f -> LOG.warnf("stop of %s failed: %s", service.name(), message(f)));
            return;
        }
        onChange.accept(this);
        if (failedMeanwhile != null) {
            runtimeFailure(gen, failedMeanwhile);
        }
    }

    private void runtimeFailure(long gen, Throwable cause) {
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            if (state == ServiceState.STARTING) {
                failedWhileStarting = cause;
                return;
            }
            if (state != ServiceState.RUNNING) {
                return;
            }
        }
        failure(gen, cause, true);
    }

    /** A running service failed, or a start failed: FAILED, stopped, and restarted after a backoff once supervised. */
    private void failure(long gen, Throwable cause, boolean wasRunning) {
        Duration delay;
        long failedGen;
        boolean restartIt;
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            lastError = message(cause);
            if (runningSince != null && !runningSince.plus(policy.resetAfter()).isAfter(clock.instant())) {
                backoff = policy.initialBackoff();
            }
            moveTo(ServiceState.FAILED);
            failedGen = ++generation;
            delay = backoff;
            backoff = policy.after(backoff);
            restartIt = supervised;
        }
        onChange.accept(this);
        if (!restartIt) {
            LOG.errorf("service %s on node %s failed to start: %s", service.name(), nodeId, lastError);
            return;
        }
        LOG.errorf("service %s on node %s %s: %s; restarting in %d ms", service.name(), nodeId,
                wasRunning ? "failed" : "failed to restart", message(cause), delay.toMillis());
        Cancellable restart = Uni.createFrom().deferred(service::stop)
                .onFailure().invoke(f -> LOG.warnf("stop of failed service %s failed: %s", service.name(), message(f)))
                .onFailure().recoverWithNull()
                .chain(() -> timers.after(delay))
                .subscribe().with(ok -> restart(failedGen), f -> LOG.errorf("restart of %s not scheduled: %s", service.name(), message(f)));
        synchronized (this) {
            if (failedGen == generation) {
                pendingRestart = restart;
                return;
            }
        }
        restart.cancel();
    }

    private void restart(long failedGen) {
        long gen;
        synchronized (this) {
            if (failedGen != generation || !supervised) {
                return;
            }
            pendingRestart = null;
            restarts++;
            gen = ++generation;
            moveTo(ServiceState.STARTING);
        }
        LOG.infof("restarting service %s on node %s (restart %d)", service.name(), nodeId, restarts);
        onChange.accept(this);
        watched(gen, System.nanoTime())
                .subscribe().with(ok -> started(gen), cause -> failure(gen, cause, false));
    }

    /**
     * The service's start, watched: while it runs past {@link #slowStart}, the log says where the
     * service's threads are, so a start that hangs (a call into a library that never returns, a
     * lock) is found from the log alone rather than by attaching a debugger to the node.
     */
    private Uni<Void> watched(long gen, long t0) {
        return Uni.createFrom().deferred(() -> {
            // Mutiny's own timer, not the manager's Timers: those are the restart delays tests gate and count
            Cancellable watch = Uni.createFrom().item(Boolean.TRUE).onItem().delayIt().by(slowStart).repeat().atMost(3)
                    .subscribe().with(tick -> stillStarting(gen, t0), f -> LOG.debugf("start watch of %s ended: %s", service.name(), f));
            return service.start(context(gen)).onTermination().invoke(watch::cancel);
        });
    }

    private void stillStarting(long gen, long t0) {
        synchronized (this) {
            if (gen != generation || state != ServiceState.STARTING) {
                return;
            }
        }
        String step = service.startStep();
        LOG.warnf("service %s on node %s is still starting after %.1f s%s; where its threads are:%s", service.name(), nodeId,
                (System.nanoTime() - t0) / 1e9, step == null ? "" : " (" + step + ")",
                ServiceThreads.describe(service.name(), service.getClass().getPackageName()));
    }

    private void stopped(long gen, Throwable failure) {
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            if (failure == null) {
                moveTo(ServiceState.STOPPED);
            } else {
                lastError = "stop failed: " + message(failure);
                moveTo(ServiceState.FAILED);
                LOG.errorf("service %s on node %s did not stop cleanly: %s", service.name(), nodeId, message(failure));
            }
        }
        onChange.accept(this);
    }

    private Uni<Void> cancelled(Cancellable restart) {
        if (restart != null) {
            restart.cancel();
        }
        return Uni.createFrom().voidItem();
    }

    /** Changes state; health outside RUNNING says why the service cannot be healthy. */
    private void moveTo(ServiceState next) {
        state = next;
        since = clock.instant();
        if (next != ServiceState.RUNNING) {
            runningSince = null;
        }
        health = switch (next) {
            case RUNNING -> Health.OK;
            case FAILED -> Health.unhealthy(lastError);
            default -> Health.unhealthy(next.wireName());
        };
    }

    static String message(Throwable cause) {
        String m = cause.getMessage();
        return m == null || m.isBlank() ? cause.getClass().getSimpleName() : m;
    }
}
