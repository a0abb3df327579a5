package io.acp.storage.common;

import io.acp.model.SharedOutcome;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blocking calls that touch storage (statvfs, reading a mount, an LVM report), each on its own
 * worker thread and bounded by a timeout. A thread stuck in the kernel on a hung NFS or FUSE mount
 * cannot be interrupted, so a call that timed out keeps its key busy: the next call with the same
 * key fails at once instead of stranding another thread. One hung pool thus costs one thread and
 * never delays the stats of other pools, the API or the service's own thread.
 */
public final class Probes implements AutoCloseable {

    private final ExecutorService threads;
    private final ConcurrentHashMap<String, Running> inFlight = new ConcurrentHashMap<>();

    public Probes() {
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "acp-storage-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code call} on a probe thread; fails with TIMEOUT naming {@code what} if it has not
     * answered within {@code timeout}, and with UNAVAILABLE ({@link Busy}) while an earlier call
     * with {@code key} still runs or hangs.
     */
    public <T> Uni<T> call(String key, String what, Duration timeout, Callable<T> call) {
        return start(key, what, timeout, call, false);
    }

    /**
     * As {@link #call}, for a call that only reads (listing a pool's volumes): a caller that comes
     * while another shared call with {@code key} runs within its timeout gets that call's answer,
     * instead of {@link Busy}. Two people showing one pool at once both see its volumes; still one
     * thread per key, and a call past its timeout still fails the next caller as a hang.
     */
    public <T> Uni<T> shared(String key, String what, Duration timeout, Callable<T> call) {
        return start(key, what, timeout, call, true);
    }

    private <T> Uni<T> start(String key, String what, Duration timeout, Callable<T> call, boolean share) {
        return Uni.createFrom().deferred(() -> {
            long now = System.nanoTime();
            CompletableFuture<T> answer = new CompletableFuture<>();
            Running mine = new Running(now, answer, share);
            Running earlier = inFlight.putIfAbsent(key, mine);
            if (earlier != null) {
                long running = now - earlier.started();
                if (share && earlier.shared() && running < timeout.toNanos()) {
                    @SuppressWarnings("unchecked") // only shared calls of one key share it, and a key names one kind of answer
                    CompletableFuture<T> same = (CompletableFuture<T>) earlier.answer();
                    return bounded(same, what, timeout, timeout.minusNanos(running));
                }
                return Uni.createFrom().failure(new Busy(what, running, timeout));
            }
            try {
                threads.execute(() -> {
                    // The key is freed before the answer is delivered, so whoever gets it may probe again at once.
                    try {
                        T result = call.call();
                        inFlight.remove(key, mine);
                        answer.complete(result);
                    } catch (Throwable e) {
                        inFlight.remove(key, mine);
                        answer.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException rejected) {
                inFlight.remove(key, mine);
                return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, "storage service is stopping"));
            }
            return bounded(answer, what, timeout, timeout);
        });
    }

    /** The answer, or TIMEOUT after {@code left}; each caller waits on its own copy, so one caller's timeout is not another's. */
    private static <T> Uni<T> bounded(CompletableFuture<T> answer, String what, Duration timeout, Duration left) {
        return SharedOutcome.of(answer.copy().orTimeout(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS))
                .onFailure(TimeoutException.class).transform(e -> new AcpException(ErrorCode.TIMEOUT,
                        what + " did not answer within " + timeout.toMillis() + " ms (hung mount or device?)"));
    }

    /** A call under way: when it started, the answer it will give, and whether later callers may wait for that answer. */
    private record Running(long started, CompletableFuture<?> answer, boolean shared) {
    }

    /**
     * An earlier call with the same key is still running. Within the timeout that is only an
     * overlap (two callers measured the same thing at once: {@link #overlapping()}); past it, the
     * earlier call hangs.
     */
    public static final class Busy extends AcpException {

        private final boolean overlapping;

        Busy(String what, long runningNanos, Duration timeout) {
            super(ErrorCode.UNAVAILABLE, runningNanos < timeout.toNanos()
                    ? what + " is already running (for " + TimeUnit.NANOSECONDS.toMillis(runningNanos) + " ms)"
                    : what + " still has not answered after " + TimeUnit.NANOSECONDS.toSeconds(runningNanos) + " s (hung mount or device?)");
            this.overlapping = runningNanos < timeout.toNanos();
        }

        /** Whether the earlier call is still within its timeout: it will answer, nothing hangs. */
        public boolean overlapping() {
            return overlapping;
        }
    }

    /**
     * Whether a probe failed only because an earlier call with its key is still running within its
     * timeout: a sampler that meets this leaves the state it reports to that call.
     */
    public static boolean overlapped(Throwable failure) {
        return failure instanceof Busy busy && busy.overlapping();
    }

    /** How many keys have a call running (a hung one included). */
    public int busy() {
        return inFlight.size();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
