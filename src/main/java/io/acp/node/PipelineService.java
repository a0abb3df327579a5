package io.acp.node;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The one skeleton of a service that owns a worker thread and reports through periodic collectors
 * (hypervisor, network, storage, monitor). A service says what it opens, which {@link Collector}s
 * it runs and what it closes; this class does the rest the same way for all of them:
 *
 * <pre>
 * context.timers().every(period)     ticks from the node's one ticker; a tick that arrives while
 *   → tick on the service's worker   the last still runs is dropped (skip when busy)
 *   → ifNoItem().after(stall)        a tick that hangs fails the pipeline
 *   → problem → health               a failure the service expects (its backend's) makes it
 *                                    unhealthy until a tick succeeds, and is tried again
 *   → anything else → context.failed the service failed: the manager stops it and restarts it
 *                                    with backoff
 * </pre>
 *
 * @param <R> what exists while the service runs
 */
public abstract class PipelineService<R> implements ManagedService {

    private static final Logger LOG = Logger.getLogger(PipelineService.class);

    /** How long a stop waits for the worker to release the backend before abandoning a hung worker. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    protected final String nodeId;
    private volatile Running<R> running;
    private volatile String lastProblem;

    private record Running<R>(ScheduledThreadPoolExecutor worker, R state, List<Cancellable> pipelines, AtomicBoolean stalled) {
    }

    /** A tick that did not finish within the stall timeout. */
    private static final class Stalled extends AcpException {
        Stalled(String message) {
            super(ErrorCode.UNAVAILABLE, message);
        }
    }

    protected PipelineService(String nodeId) {
        this.nodeId = nodeId;
    }

    /** Only for CDI's client proxy of a scoped service, which never runs the service itself. */
    protected PipelineService() {
        this(null);
    }

    /**
     * Builds what the service holds and does its first work. {@code worker} is the service's own
     * thread, for everything that blocks. A failed open releases what it built itself.
     */
    protected abstract Uni<R> open(ScheduledExecutorService worker);

    /** What the start under way does now; see {@link #startStep()}. */
    private volatile String startStep;

    /** Marks what the start does from here on, for the log of a start that does not finish. */
    protected void startStep(String what) {
        startStep = what;
    }

    @Override
    public String startStep() {
        return startStep;
    }

    /** The periodic work of a running service. */
    protected abstract List<Collector> collectors(R state);

    /** Releases what {@link #open} built; runs on the worker, and is abandoned if the worker hangs. */
    protected void close(R state) {
    }

    /**
     * Whether a collector's failure is a problem of what the service drives (libvirt gone, a
     * command refused), reported in health and tried again at the next tick. Anything else is a
     * failure of the service itself.
     */
    protected boolean isProblem(Throwable failure) {
        return failure instanceof AcpException;
    }

    @Override
    public Uni<Void> start(ServiceContext given) {
        ServiceContext context = given != null ? given : unsupervised();
        return Uni.createFrom().deferred(() -> {
            ScheduledThreadPoolExecutor worker = ServiceThread.named(name());
            startStep("opening");
            return open(worker)
                    .onFailure().invoke(f -> worker.shutdownNow())
                    .invoke(state -> run(context, worker, state))
                    .replaceWithVoid();
        });
    }

    /** For a service started outside a manager (tests, tools): a failure is logged, nobody restarts it. */
    private ServiceContext unsupervised() {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public void failed(Throwable cause) {
                LOG.errorf("%s service of node %s failed and runs under no manager, so it is not restarted: %s", name(), nodeId, cause.getMessage());
            }
        };
    }

    private void run(ServiceContext context, ScheduledThreadPoolExecutor worker, R state) {
        List<Collector> collectors = collectors(state);
        java.util.ArrayList<Cancellable> pipelines = new java.util.ArrayList<>();
        Running<R> r = new Running<>(worker, state, pipelines, new AtomicBoolean());
        for (Collector c : collectors) {
            pipelines.add(subscribe(context, r, c));
        }
        running = r;
    }

    private Cancellable subscribe(ServiceContext context, Running<R> r, Collector c) {
        Duration stall = context.stallTimeout();
        return context.timers().every(c.period())
                .skip().first()
                .onItem().transformToUniAndConcatenate(tick -> tick(r, c, stall))
                .subscribe().with(
                        n -> { },
                        f -> {
                            if (f instanceof Stalled) {
                                r.stalled().set(true);
                            }
                            pipelineFailed(context, c, f);
                        });
    }

    private Uni<Integer> tick(Running<R> r, Collector c, Duration stall) {
        return Uni.createFrom().deferred(() -> c.work().get())
                .runSubscriptionOn(r.worker())
                .ifNoItem().after(stall).failWith(() -> new Stalled(name() + " service of node " + nodeId + ": its " + c.name()
                        + " has not finished within " + stall + " (acp.node.stall-timeout); the service is restarted"))
                .onItem().invoke(n -> {
                    if (c.provesHealth()) {
                        lastProblem = null;
                    }
                })
                .onFailure(f -> !(f instanceof Stalled) && isProblem(f)).recoverWithItem(f -> {
                    problem(f);
                    return 0;
                });
    }

    private void pipelineFailed(ServiceContext context, Collector c, Throwable f) {
        String message = f instanceof Stalled ? f.getMessage()
                : name() + " service of node " + nodeId + ": its " + c.name() + " failed: " + f;
        LOG.error(message, f instanceof Stalled ? null : f);
        lastProblem = message;
        context.failed(f instanceof Stalled ? f : new AcpException(ErrorCode.INTERNAL, message, f));
    }

    /** Records a problem for {@link #health}; the same problem is logged once. */
    protected void problem(Throwable f) {
        String message = describeProblem(f);
        if (!message.equals(lastProblem)) {
            LOG.warnf("%s service of node %s: %s", name(), nodeId, message);
        }
        lastProblem = message;
    }

    /** The words of a problem in health; the failure's message unless the service says more. */
    protected String describeProblem(Throwable f) {
        return String.valueOf(f.getMessage());
    }

    @Override
    public Uni<Void> stop() {
        Running<R> r = running;
        running = null;
        if (r == null) {
            return Uni.createFrom().voidItem();
        }
        r.pipelines().forEach(Cancellable::cancel);
        if (r.stalled().get()) {
            // The worker hangs in a tick: interrupt it and release the backend from a pool thread.
            r.worker().shutdownNow();
        }
        Executor closer = r.stalled().get() ? Infrastructure.getDefaultWorkerPool() : r.worker();
        return Uni.createFrom().item(() -> {
                    close(r.state());
                    return null;
                })
                .runSubscriptionOn(closer)
                .ifNoItem().after(CLOSE_WAIT).recoverWithItem(() -> null)
                .eventually(() -> r.worker().shutdownNow())
                .replaceWithVoid();
    }

    @Override
    public Health health() {
        String p = lastProblem;
        return p == null ? Health.OK : Health.unhealthy(p);
    }

    /**
     * Applies {@code use} to what the running service holds; {@code unavailable}, naming the
     * service and node, while it does not run.
     */
    protected <T> T withRunning(Function<R, T> use) {
        Running<R> r = running;
        if (r == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, name() + " service on node " + nodeId + " is not running");
        }
        return use.apply(r.state());
    }

    /** What the running service holds, or null while it does not run. */
    protected R runningOrNull() {
        Running<R> r = running;
        return r == null ? null : r.state();
    }

    /** Runs {@code work} on the worker of the running service; {@code unavailable} while it does not run. */
    protected <T> Uni<T> onWorker(Function<R, T> work) {
        return Uni.createFrom().deferred(() -> {
            Running<R> r = running;
            if (r == null) {
                return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, name() + " service on node " + nodeId + " is not running"));
            }
            return Uni.createFrom().item(() -> work.apply(r.state())).runSubscriptionOn(r.worker());
        });
    }
}
