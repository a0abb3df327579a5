package io.acp.node;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The node's one sense of time passing: the manager's restart delays and health checks and every
 * service's collectors tick from it. The manager hands it to services in their
 * {@link ServiceContext}; tests wrap it to see which delays were asked for.
 */
public interface Timers {

    /** Completes once {@code delay} has passed. */
    Uni<Void> after(Duration delay);

    /** Ticks every {@code period}; ticks a slow subscriber cannot take are dropped, never queued. */
    Multi<Long> every(Duration period);

    /** Timers on Mutiny's default worker pool, which the manager uses in production. */
    static Timers system() {
        return on(Infrastructure.getDefaultWorkerPool());
    }

    static Timers on(ScheduledExecutorService scheduler) {
        return new Timers() {
            @Override
            public Uni<Void> after(Duration delay) {
                return Uni.createFrom().voidItem()
                        .onItem().delayIt().onExecutor(scheduler).by(delay);
            }

            @Override
            public Multi<Long> every(Duration period) {
                return Multi.createFrom().ticks().onExecutor(scheduler).every(period)
                        .onOverflow().drop();
            }
        };
    }
}
