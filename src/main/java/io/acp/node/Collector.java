package io.acp.node;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One periodic pipeline of a {@link PipelineService}: every {@code period} a tick runs {@code work}
 * on the service's worker; the Uni's item is how many things it changed or sampled.
 *
 * @param name         what it does, for logs and errors ("reconcile", "stats")
 * @param provesHealth whether a success clears the service's last problem (a reconcile that
 *                     talks to the backend does; a stats sample with nothing to sample does not)
 */
public record Collector(String name, Duration period, Supplier<Uni<Integer>> work, boolean provesHealth) {

    public static Collector every(String name, Duration period, Supplier<Uni<Integer>> work) {
        return new Collector(name, period, work, true);
    }

    /** The same collector, whose successes say nothing about the backend's health. */
    public Collector provingNothing() {
        return new Collector(name, period, work, false);
    }
}
