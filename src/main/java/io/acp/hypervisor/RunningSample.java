package io.acp.hypervisor;

import java.util.function.BiConsumer;

/**
 * A stats sample of the running domains, read a few domains at a time: each part is one trip to
 * the hypervisor's thread, so the creates, stops and migrations queued on that thread run between
 * the parts instead of waiting for the whole sample (on QEMU a running system's counters take 1-2
 * ms of libvirt calls, so a sample of a few hundred systems held every operation for most of a
 * second).
 */
public interface RunningSample extends AutoCloseable {

    /**
     * Reads the next domains, at least one, until {@code deadlineNanos} (of {@link System#nanoTime})
     * has passed or none is left; each that still runs goes to {@code out}. Answers whether any is
     * left to read.
     */
    boolean readSome(long deadlineNanos, BiConsumer<String, DomainSample> out);

    /** Lets go of the domains not read yet (libvirt: their handles); a sample read to its end holds none. */
    @Override
    void close();
}
