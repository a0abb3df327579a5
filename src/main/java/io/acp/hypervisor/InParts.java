package io.acp.hypervisor;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Work over many systems on the hypervisor's thread, done a few at a time: each part is one trip to
 * the thread of about {@link #PART}, so the creates, stops and migrations queued on it run between
 * the parts instead of waiting for the whole (the stats sample, the reconcile, the system list).
 */
final class InParts {

    /**
     * How long a part may hold the hypervisor's thread (at least one item is done per part). A part
     * costs one hop to the thread (some microseconds); at 5 ms a sample of 1,000 systems on QEMU
     * (1-2 ms each) takes a few hundred hops a second.
     */
    static final Duration PART = Duration.ofMillis(5);

    private InParts() {
    }

    /** Does {@code each} for every item of {@code items}, in order, in parts; completes after the last. */
    static <T> Uni<Void> walk(Hypervisor hv, List<T> items, BiConsumer<HypervisorBackend, T> each) {
        int[] next = {0}; // only the hypervisor's thread moves it, one part after the other
        return Multi.createBy().repeating().uni(() -> hv.call(b -> {
            long deadline = System.nanoTime() + PART.toNanos();
            while (next[0] < items.size()) {
                each.accept(b, items.get(next[0]++));
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
            }
            return next[0] < items.size();
        })).whilst(Boolean::booleanValue).collect().last().replaceWithVoid();
    }
}
