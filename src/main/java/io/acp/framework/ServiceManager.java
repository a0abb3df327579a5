package io.acp.framework;

import io.acp.node.ServiceStatus;
import io.acp.node.ServiceState;
import io.acp.node.ServiceDirectory;
import io.acp.node.Timers;
import io.acp.node.NodeConfig;
import io.acp.node.NodeIdentity;
import io.acp.node.Health;
import io.acp.node.ServiceContext;
import io.acp.node.ManagedService;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.model.SharedOutcome;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.acp.node.Revert;
import org.jboss.logging.Logger;

/**
 * The Framework service: runs the node's configured services and reports on them.
 *
 * <ul>
 * <li>{@link #startAll()} starts the services named in {@code acp.node.services}, each as soon as
 * the services it depends on run, so independent services start together. The planned order
 * ({@link StartOrder#levels}, each level by name) is logged; stops go in its reverse. If one fails
 * its first start, no further start begins, the starts under way are let finish, everything
 * started is stopped in reverse order and startAll fails: the node exits and its supervisor
 * (systemd) restarts it, rather than running half a node.</li>
 * <li>A running service that reports {@link ServiceContext#failed} is stopped and restarted after
 * a backoff ({@link RestartPolicy}). Only that service restarts: its dependents keep running and
 * answer {@code unavailable} for what needs it until it is back, and its dependencies are left
 * alone. A short outage of the CDB should not also bounce the API and every connection on it.</li>
 * <li>Every {@code acp.node.health-interval} the running services' health checks run on a
 * worker; every {@code acp.node.stats-interval} the node's stats are read from /proc on a worker.
 * Ticks that arrive while the previous one still runs are dropped.</li>
 * <li>{@link #stopAll()} stops everything in reverse start order, and is idempotent.</li>
 * <li>State, health and stats are published into the CDB by {@link ClusterPublisher}.</li>
 * </ul>
 */
@ApplicationScoped
public class ServiceManager implements ServiceDirectory {

    private static final Logger LOG = Logger.getLogger(ServiceManager.class);

    private enum Phase { IDLE, STARTING, RUNNING, STOPPING, STOPPED }

    private final Supplier<List<ManagedService>> available;
    private final ManagerSettings settings;
    private final Clock clock;
    private final Timers timers;
    private final Executor worker;
    private final NodeStatsCollector collector;
    private final ClusterPublisher publisher;

    // Guarded by this.
    private Phase phase = Phase.IDLE;
    private List<SupervisedService> units = List.of();
    private Uni<Void> starting;
    private Uni<Void> stopping;
    private final List<Cancellable> tickers = new ArrayList<>();
    private volatile Instant startedAt;

    @Inject
    public ServiceManager(@Any Instance<ManagedService> services, NodeConfig config, NodeIdentity identity, ClusterService cluster,
                          @ConfigProperty(name = "quarkus.application.version", defaultValue = "0.1.0") String version) {
        this(() -> services.stream().toList(), ManagerSettings.of(config, identity, version), cdbOf(cluster), Clock.systemUTC(),
                Timers.on(Infrastructure.getDefaultWorkerPool()), Infrastructure.getDefaultWorkerPool(), new NodeStatsCollector(Path.of("/proc")));
    }

    /** The manager without CDI: the services to choose from and every collaborator given. */
    ServiceManager(Supplier<List<ManagedService>> available, ManagerSettings settings, Supplier<Cdb> cdb, Clock clock,
                   Timers timers, Executor worker, NodeStatsCollector collector) {
        this.available = available;
        this.settings = settings;
        this.clock = clock;
        this.timers = timers;
        this.worker = worker;
        this.collector = collector;
        this.startedAt = clock.instant();
        this.publisher = new ClusterPublisher(cdb, settings.nodeId(), settings.hostname(), settings.version(), new ClusterPublisher.Source() {
            @Override
            public List<ServiceStatus> statuses() {
                return ServiceManager.this.statuses();
            }

            @Override
            public ObjectNode nodeMeta() {
                return ServiceManager.this.nodeMeta();
            }
        });
    }

    private static Supplier<Cdb> cdbOf(ClusterService cluster) {
        return () -> {
            try {
                return cluster.running() ? cluster.cdb() : null;
            } catch (AcpException stoppedMeanwhile) {
                return null;
            }
        };
    }

    /**
     * Starts every configured service in dependency order. Fails, after stopping what it started,
     * if the configuration is wrong or a service fails to start. Calling it while started is a no-op.
     */
    public Uni<Void> startAll() {
        Uni<Void> start;
        SharedOutcome<Void> outcome = new SharedOutcome<>();
        synchronized (this) {
            if (phase == Phase.STARTING || phase == Phase.RUNNING) {
                return starting;
            }
            if (phase == Phase.STOPPING) {
                return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, "node " + settings.nodeId() + " is stopping"));
            }
            List<SupervisedService> order;
            try {
                order = StartOrder.of(available.get(), settings.services()).stream()
                        .map(s -> new SupervisedService(s, settings.nodeId(), settings.restart(), timers, settings.stallTimeout(),
                                settings.slowStart(), clock, this::changed))
                        .toList();
            } catch (AcpException e) {
                LOG.errorf("node %s cannot start: %s", settings.nodeId(), e.getMessage());
                return Uni.createFrom().failure(e);
            }
            units = order;
            phase = Phase.STARTING;
            startedAt = clock.instant();
            LOG.infof("node %s starting services %s", settings.nodeId(), order.stream().map(SupervisedService::name).toList());
            start = Uni.createFrom().deferred(() -> startGraph(order))
                    .onItem().invoke(this::started)
                    .onFailure().invoke(f -> rolledBack());
            starting = outcome.uni();
        }
        // Subscribed outside the lock: services report changes, and the publisher reads statuses.
        outcome.take(start);
        return outcome.uni();
    }

    /** Stops every service in reverse start order, waiting for each; stop failures are logged. */
    public Uni<Void> stopAll() {
        Uni<Void> stop;
        SharedOutcome<Void> outcome = new SharedOutcome<>();
        synchronized (this) {
            if (phase == Phase.STOPPING) {
                return stopping;
            }
            if (phase == Phase.STARTING) {
                // Let the start finish (or roll back) first, then stop what runs.
                stop = starting.onFailure().recoverWithNull().replaceWithVoid()
                        .chain(this::stopAll);
            } else if (phase == Phase.RUNNING) {
                phase = Phase.STOPPING;
                tickers.forEach(Cancellable::cancel);
                tickers.clear();
                List<SupervisedService> reverse = new ArrayList<>(units);
                Collections.reverse(reverse);
                LOG.infof("node %s stopping services %s", settings.nodeId(), reverse.stream().map(SupervisedService::name).toList());
                stop = Uni.createFrom().voidItem()
                        .invoke(publisher::nodeChanged)
                        .chain(() -> stopEach(reverse))
                        .onItem().invoke(this::stopped);
                stopping = outcome.uni();
            } else {
                return Uni.createFrom().voidItem();
            }
        }
        outcome.take(stop);
        return outcome.uni();
    }

    @Override
    public List<ServiceStatus> statuses() {
        List<SupervisedService> current;
        Phase now;
        synchronized (this) {
            current = units;
            now = phase;
        }
        List<ServiceStatus> out = new ArrayList<>(current.size() + 1);
        out.add(frameworkStatus(now));
        current.forEach(u -> out.add(u.status()));
        return out;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    private ServiceStatus frameworkStatus(Phase now) {
        ServiceState state = switch (now) {
            case STOPPING -> ServiceState.STOPPING;
            case STOPPED -> ServiceState.STOPPED;
            default -> ServiceState.RUNNING;
        };
        return new ServiceStatus(StartOrder.FRAMEWORK, state, Health.OK, startedAt, 0, null, List.of());
    }

    private ObjectNode nodeMeta() {
        Phase now;
        synchronized (this) {
            now = phase;
        }
        ObjectNode meta = Json.object();
        List<SupervisedService> current;
        synchronized (this) {
            current = units;
        }
        for (SupervisedService unit : current) {
            if (unit.status().state() == ServiceState.RUNNING) {
                unit.service().nodeMeta().forEach(meta::put);
            }
        }
        return meta
                .put("state", now == Phase.STOPPING || now == Phase.STOPPED ? "stopping" : "running")
                .put("startedAt", startedAt.toString())
                .put("pid", ProcessHandle.current().pid());
    }

    /**
     * Starts every unit once its own dependencies run, not once the whole previous level does: a
     * service waits only for what it needs (the agent for the API and the CDB, not for the
     * hypervisor's connection to libvirt). Each start runs on a worker, so no start waits on
     * another's blocking. After a failure no further start begins; the starts under way run to
     * their end, so a rollback finds none half-started; then everything is stopped in reverse
     * planned order and the first failure (in planned order) is reported.
     */
    private Uni<Void> startGraph(List<SupervisedService> order) {
        AtomicBoolean failed = new AtomicBoolean();
        Map<String, Uni<Void>> starts = new HashMap<>();
        for (SupervisedService unit : order) {
            // The planned order is topological: every dependency's start is in the map already.
            List<Uni<Void>> dependencies = unit.service().dependencies().stream().map(starts::get).toList();
            Uni<Void> afterDependencies = dependencies.isEmpty() ? Uni.createFrom().voidItem()
                    : Uni.join().all(dependencies).andFailFast().replaceWithVoid();
            Uni<Void> start = SharedOutcome.of(afterDependencies
                    .chain(() -> failed.get() ? Uni.createFrom().<Void>failure(new NotStarted()) : startOne(unit))
                    .onFailure(f -> !(f instanceof NotStarted)).invoke(f -> failed.set(true)));
            starts.put(unit.name(), start);
        }
        List<Uni<Throwable>> outcomes = order.stream()
                .map(unit -> starts.get(unit.name())
                        .onItem().transform(ok -> (Throwable) null)
                        .onFailure().recoverWithItem(cause -> cause))
                .toList();
        return Uni.join().all(outcomes).andCollectFailures()
                .chain(causes -> {
                    for (int i = 0; i < order.size(); i++) {
                        Throwable cause = causes.get(i);
                        if (cause != null && !(cause instanceof NotStarted)) {
                            SupervisedService unit = order.get(i);
                            return rollBack(order).chain(() -> Uni.createFrom().failure(new AcpException(ErrorCode.INTERNAL,
                                    "service " + unit.name() + " failed to start: " + SupervisedService.message(cause), cause)));
                        }
                    }
                    return Uni.createFrom().voidItem();
                });
    }

    /** A start not begun because another service failed its own (or one it depends on was not started). */
    private static final class NotStarted extends RuntimeException {
        NotStarted() {
            super("not started: another service failed to start", null, false, false);
        }
    }

    private Uni<Void> startOne(SupervisedService unit) {
        return Uni.createFrom().deferred(unit::start).runSubscriptionOn(worker);
    }

    /**
     * Stops what started (a unit that never did is skipped), in reverse planned order. Through the
     * one undo helper: a stop that fails is logged and the next one still runs, so one broken
     * service never leaves the others running after a failed start.
     */
    private Uni<Void> rollBack(List<SupervisedService> started) {
        Revert revert = new Revert();
        for (SupervisedService unit : started) {
            revert.add(unit::stop);
        }
        return revert.revert(f -> LOG.warnf("node %s: a service did not stop cleanly while the failed start was rolled back: %s",
                settings.nodeId(), SupervisedService.message(f)));
    }

    private Uni<Void> stopEach(List<SupervisedService> reverse) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SupervisedService unit : reverse) {
            chain = chain.chain(unit::stop);
        }
        return chain;
    }

    private void started() {
        synchronized (this) {
            phase = Phase.RUNNING;
            startTickers();
        }
        publisher.nodeChanged();
    }

    private void startTickers() {
        LOG.infof("node %s: all services running", settings.nodeId());
        tickers.add(timers.every(settings.healthInterval())
                .onItem().transformToUniAndConcatenate(tick -> onWorker(this::checkHealth))
                .subscribe().with(ok -> { }, f -> LOG.errorf("health checks on node %s stopped: %s", settings.nodeId(), f.getMessage())));
        tickers.add(timers.every(settings.statsInterval())
                .onItem().transformToUniAndConcatenate(tick -> onWorker(this::publishStats))
                .subscribe().with(ok -> { }, f -> LOG.errorf("node stats on node %s stopped: %s", settings.nodeId(), f.getMessage())));
    }

    private synchronized void rolledBack() {
        phase = Phase.IDLE;
    }

    private synchronized void stopped() {
        phase = Phase.STOPPED;
        LOG.infof("node %s: all services stopped", settings.nodeId());
    }

    private Uni<Void> onWorker(Runnable task) {
        return Uni.createFrom().<Void>item(() -> {
                    task.run();
                    return null;
                })
                .runSubscriptionOn(worker);
    }

    private void checkHealth() {
        List<SupervisedService> current;
        synchronized (this) {
            current = units;
        }
        current.forEach(SupervisedService::checkHealth);
    }

    private void publishStats() {
        try {
            publisher.stats(collector.sample());
        } catch (RuntimeException e) {
            LOG.warnf("node stats of %s not sampled: %s", settings.nodeId(), e.getMessage());
        }
    }

    private void changed(SupervisedService unit) {
        publisher.serviceChanged(unit.name());
        publisher.nodeChanged(); // a service's own node meta (e.g. the agent's address) comes and goes with it
    }
}
