package io.acp.hypervisor;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The backend behind its one thread: every call is queued on {@code thread} and comes back as a
 * Uni, so libvirt's blocking calls never run on an event loop and never run concurrently.
 */
final class Hypervisor {

    private final HypervisorBackend backend;
    private final Executor thread;

    Hypervisor(HypervisorBackend backend, Executor thread) {
        this.backend = backend;
        this.thread = thread;
    }

    <T> Uni<T> call(java.util.function.Function<HypervisorBackend, T> work) {
        return Uni.createFrom().item(() -> work.apply(backend)).runSubscriptionOn(thread);
    }

    Uni<Void> run(java.util.function.Consumer<HypervisorBackend> work) {
        return call(b -> {
            work.accept(b);
            return null;
        }).replaceWithVoid();
    }

    /**
     * Runs {@code read} now on the caller's thread, beside whatever the hypervisor's thread does:
     * only for reads the backend allows from another thread ({@link HypervisorBackend#jobProgress}).
     */
    <T> T beside(java.util.function.Function<HypervisorBackend, T> read) {
        return read.apply(backend);
    }

    <T> Uni<T> supply(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(thread);
    }
}
