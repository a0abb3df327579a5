package io.acp.framework;

import io.acp.node.Health;
import io.acp.node.ServiceContext;
import io.acp.node.ManagedService;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A managed service whose behaviour a test sets; it logs "start x" / "stop x" to a shared list. */
final class FakeService implements ManagedService {

    private final String name;
    private final Set<String> dependencies;
    private final List<String> log;

    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();
    /** How many of the next starts fail. */
    volatile int failingStarts;
    volatile RuntimeException stopFailure;
    volatile Duration startTakes;
    volatile Supplier<Health> health = () -> Health.OK;
    /** Runs at the beginning of each start, before it completes. */
    volatile Runnable onStart = () -> { };
    /** If set, what each start waits for (instead of {@link #startTakes}). */
    volatile Supplier<Uni<Void>> startUntil;
    volatile ServiceContext context;

    FakeService(String name, List<String> log, String... dependencies) {
        this.name = name;
        this.log = log;
        this.dependencies = Set.of(dependencies);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> dependencies() {
        return dependencies;
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        log.add("start " + name);
        starts.incrementAndGet();
        this.context = context;
        onStart.run();
        if (failingStarts > 0) {
            failingStarts--;
            return Uni.createFrom().failure(new IllegalStateException(name + " could not bind its socket"));
        }
        Supplier<Uni<Void>> until = startUntil;
        if (until != null) {
            return until.get();
        }
        Duration takes = startTakes;
        return takes == null ? Uni.createFrom().voidItem() : Uni.createFrom().voidItem().onItem().delayIt().by(takes);
    }

    @Override
    public Uni<Void> stop() {
        log.add("stop " + name);
        stops.incrementAndGet();
        RuntimeException failure = stopFailure;
        return failure == null ? Uni.createFrom().voidItem() : Uni.createFrom().failure(failure);
    }

    @Override
    public Health health() {
        return health.get();
    }

    /** Reports a runtime failure the way a real service would. */
    void fail(String why) {
        context.failed(new IllegalStateException(why));
    }
}
