package io.acp.framework;

import io.acp.node.ServiceStatus;
import io.acp.node.Timers;
import io.acp.node.ManagedService;
import io.acp.cluster.Cdb;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Builds a {@link ServiceManager} without CDI: real scheduler and /proc, a clock the test moves,
 * and restart delays that are recorded and, when gated, wait until the test releases them.
 */
final class ManagerFixture implements AutoCloseable {

    static final RestartPolicy TINY = new RestartPolicy(Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofSeconds(60));

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final MovableClock clock = new MovableClock();
    final RecordingTimers timers = new RecordingTimers(Timers.on(scheduler));

    ServiceManager manager(List<ManagedService> services, List<String> configured, Supplier<Cdb> cdb) {
        return manager(services, configured, cdb, Duration.ofMillis(10), Duration.ofMillis(10));
    }

    ServiceManager manager(List<ManagedService> services, List<String> configured, Supplier<Cdb> cdb, Duration health, Duration stats) {
        return manager(services, configured, cdb, new ManagerSettings("n1", configured, TINY, health, stats, "host1", "0.1.0"));
    }

    /** A manager whose services count as hung once a tick runs longer than {@code stall}. */
    ServiceManager managerWithStallTimeout(List<ManagedService> services, Supplier<Cdb> cdb, Duration stall) {
        List<String> configured = services.stream().map(ManagedService::name).toList();
        Duration d = Duration.ofMillis(10);
        return manager(services, configured, cdb, new ManagerSettings("n1", configured, TINY, d, d, "host1", "0.1.0", stall));
    }

    /** A manager that logs where a service's threads are once its start runs longer than {@code slowStart}. */
    ServiceManager managerWithSlowStart(List<ManagedService> services, Supplier<Cdb> cdb, Duration slowStart) {
        List<String> configured = services.stream().map(ManagedService::name).toList();
        Duration d = Duration.ofMillis(10);
        return manager(services, configured, cdb,
                new ManagerSettings("n1", configured, TINY, d, d, "host1", "0.1.0", io.acp.node.ServiceContext.DEFAULT_STALL_TIMEOUT, slowStart));
    }

    private ServiceManager manager(List<ManagedService> services, List<String> configured, Supplier<Cdb> cdb, ManagerSettings settings) {
        return new ServiceManager(() -> services, settings, cdb, clock, timers, scheduler, new NodeStatsCollector(Path.of("/proc")));
    }

    FakeService service(String name, String... dependencies) {
        return new FakeService(name, log, dependencies);
    }

    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static ServiceStatus status(ServiceManager manager, String name) {
        return manager.statuses().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no status for " + name + " in " + manager.statuses()));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-24T12:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Records restart delays; immediate unless gated, then each waits for {@link #release()}. */
    static final class RecordingTimers implements Timers {
        final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());
        private final ConcurrentLinkedQueue<UniEmitter<? super Void>> waiting = new ConcurrentLinkedQueue<>();
        private final Timers real;
        volatile boolean gated;

        RecordingTimers(Timers real) {
            this.real = real;
        }

        @Override
        public Uni<Void> after(Duration delay) {
            delays.add(delay);
            if (!gated) {
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().<Void>emitter(waiting::add);
        }

        @Override
        public Multi<Long> every(Duration period) {
            return real.every(period);
        }

        int waiting() {
            return waiting.size();
        }

        /** Lets the oldest waiting delay elapse. */
        void release() {
            UniEmitter<? super Void> e = waiting.poll();
            if (e == null) {
                throw new AssertionError("no restart is waiting");
            }
            e.complete(null);
        }
    }
}
