package io.acp.hypervisor.libvirt;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.libvirt.LibvirtException;

/**
 * Reads of a running domain that go through its VMM's monitor (QEMU's QMP: the balloon's and the
 * block devices' counters), on a connection of their own and a reader thread, waited for at most a
 * bound. A VMM whose main loop hangs (stopped, or stuck on storage that stopped answering) never
 * answers its monitor: libvirt's call then waits for ever, every later one for the domain waits 30
 * s for its job, and other calls on the same connection may wait behind it (a domain's status read
 * right after its start did, measured on libvirt 9.0). So the caller (the hypervisor's thread,
 * which every create and stop also needs) waits at most the bound; a domain whose read outlived it
 * gets no further read until that one has returned; and the connection it waits on is left to it
 * (closed once the read returns), the next read opening a fresh one. Reads of several domains may
 * be under way at once ({@link #start}): a connection is closed only once it has been let go of and
 * no read is under way on it.
 *
 * @param <C> the connection; only the hypervisor's thread calls {@link #read}, {@link #start} and {@link #answer}
 */
final class MonitorReads<C> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MonitorReads.class);

    private static final int PENDING = 0;
    private static final int RETURNED = 1;
    private static final int GIVEN_UP = 2;

    interface Read<C, T> {
        /** Reads on {@code connection}; null when the domain is gone. */
        T read(C connection) throws LibvirtException;
    }

    private final Duration bound;
    private final Supplier<C> open;
    private final Consumer<C> close;
    private final String where;
    private final ExecutorService readers;
    /** Domains whose read outlived the bound and has not returned yet. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    /** The connection reads go to; null until the next read opens one. Written by the caller's thread only. */
    private volatile Link connection;

    /**
     * A connection and the reads under way on it: closed once it has been left (a read on it was
     * given up or failed, or these reads closed) and none is under way, so no read sees its
     * connection closed under it.
     */
    private final class Link {
        final C c;
        private int underWay;
        private boolean left;
        private boolean closed;

        Link(C c) {
            this.c = c;
        }

        synchronized void begin() {
            underWay++;
        }

        /** A read on it returned. */
        void end() {
            settle(false);
        }

        /** No new read goes to it. */
        void leave() {
            settle(true);
        }

        /** Counts a read's end or the leaving, and closes the connection if that made it idle and left. */
        private void settle(boolean leaving) {
            boolean closeNow;
            synchronized (this) {
                if (leaving) {
                    left = true;
                } else {
                    underWay--;
                }
                closeNow = left && underWay == 0 && !closed;
                closed |= closeNow;
            }
            if (closeNow) {
                close.accept(c);
            }
        }
    }

    /**
     * {@code open} makes a connection (and may fail with an unchecked exception), {@code close}
     * lets one go; {@code where} names the node and the libvirt in log lines.
     */
    MonitorReads(Duration bound, Supplier<C> open, Consumer<C> close, String where) {
        this.bound = bound;
        this.open = open;
        this.close = close;
        this.where = where;
        this.readers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "acp-hypervisor-monitor-read");
            t.setDaemon(true); // one may wait for a hung VMM for ever: it must not hold the JVM
            return t;
        });
    }

    /**
     * {@code read} of domain {@code name}: its answer; empty when the domain is gone, when the read
     * did not return within the bound, or when an earlier read of this domain still waits (then
     * it is not even tried). A failure of the read is thrown as it came, and its connection let go.
     */
    <T> Optional<T> read(String name, Read<C, T> read) throws LibvirtException {
        return answer(start(name, read));
    }

    /**
     * Starts {@code read} of domain {@code name} without waiting for it, so that the reads of
     * several domains overlap (each VMM answers its own monitor; one after another, a sample waited
     * for the sum); {@link #answer} waits for it. Not tried when an earlier read of this domain
     * still waits. May fail with an unchecked exception when no connection can be opened.
     */
    <T> Started<C, T> start(String name, Read<C, T> read) {
        if (waiting.contains(name)) {
            return notTried();
        }
        Link l = connection;
        if (l == null) {
            l = new Link(open.get());
            connection = l;
        }
        Link on = l;
        on.begin();
        // Whoever of the reader (returned) and the caller (gave up) is first decides whether the
        // domain is marked as waiting: a read given up on unmarks it when it returns.
        AtomicInteger outcome = new AtomicInteger(PENDING);
        CompletableFuture<T> answer = new CompletableFuture<>();
        long due = System.nanoTime() + bound.toNanos();
        readers.execute(() -> {
            T result = null;
            Throwable failure = null;
            try {
                result = read.read(on.c);
            } catch (Throwable t) {
                failure = t;
            }
            boolean givenUp = !outcome.compareAndSet(PENDING, RETURNED);
            // no longer under way before anyone sees the answer: a caller that lets the connection
            // go on a failure finds no read on it and closes it there and then
            on.end(); // a connection given up on closes here, once its last read returned
            if (failure == null) {
                answer.complete(result);
            } else {
                answer.completeExceptionally(failure);
            }
            if (givenUp) {
                waiting.remove(name);
                LOG.infof("system %s on %s: its VMM's monitor answers again", name, where);
            }
        });
        return new Started<>(name, on, outcome, answer, due);
    }

    /** A read that was not started (its domain's earlier read still waits, or no connection opened): answered empty. */
    static <C, T> Started<C, T> notTried() {
        return new Started<>(null, null, null, null, 0);
    }

    /** A read {@link #start} started: what {@link #answer} waits for ({@link #notTried} when it was not). */
    static final class Started<C, T> {
        private final String name;
        private final MonitorReads<C>.Link on;
        private final AtomicInteger outcome;
        private final CompletableFuture<T> answer;
        private final long dueNanos;

        private Started(String name, MonitorReads<C>.Link on, AtomicInteger outcome, CompletableFuture<T> answer, long dueNanos) {
            this.name = name;
            this.on = on;
            this.outcome = outcome;
            this.answer = answer;
            this.dueNanos = dueNanos;
        }
    }

    /**
     * The answer of read {@code s}, waited for until the bound from its start has passed: empty when
     * the domain is gone, when the read did not return by then, or when it was not tried. A failure of
     * the read is thrown as it came, and its connection let go.
     */
    <T> Optional<T> answer(Started<C, T> s) throws LibvirtException {
        if (s.answer == null) {
            return Optional.empty();
        }
        Link on = s.on;
        try {
            return Optional.ofNullable(s.answer.get(Math.max(0, s.dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            waiting.add(s.name); // before giving up: the reader removes it only once it sees that
            if (!s.outcome.compareAndSet(PENDING, GIVEN_UP)) {
                waiting.remove(s.name); // returned just now
                return taken(s.answer, on);
            }
            leave(on); // the read keeps its connection; the next one opens another
            LOG.warnf("system %s on %s: its VMM's monitor did not answer a counter read within %d ms: its balloon and disk "
                    + "counters are left out until it answers (a VMM stopped, or stuck on its storage?)", s.name, where, bound.toMillis());
            return Optional.empty();
        } catch (ExecutionException e) {
            throw failed(e, on);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!s.outcome.compareAndSet(PENDING, GIVEN_UP)) {
                return taken(s.answer, on);
            }
            leave(on);
            return Optional.empty();
        }
    }

    /** New reads go to another connection than {@code on} (unless one was opened since); {@code on} closes once no read is under way on it. */
    private void leave(Link on) {
        if (connection == on) {
            connection = null;
        }
        on.leave();
    }

    /** The answer of a read that has returned, its failure thrown as it came. */
    private <T> Optional<T> taken(CompletableFuture<T> answer, Link on) throws LibvirtException {
        try {
            return Optional.ofNullable(answer.get());
        } catch (ExecutionException e) {
            throw failed(e, on);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a read that has returned cannot be waited for", e);
        }
    }

    /** A failed read's cause; its connection is let go, it may be what failed (closed once no other read is under way on it). */
    private LibvirtException failed(ExecutionException e, Link on) {
        leave(on);
        if (e.getCause() instanceof LibvirtException l) {
            return l;
        }
        if (e.getCause() instanceof RuntimeException r) {
            throw r;
        }
        if (e.getCause() instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(e.getCause());
    }

    /** Runs {@code action} on the connection reads go to, if one is open; only between reads, on the caller's thread. */
    void onConnection(Consumer<C> action) {
        Link l = connection;
        if (l != null) {
            action.accept(l.c);
        }
    }

    /** Whether a read of domain {@code name} outlived the bound and has not returned yet: its VMM does not answer. */
    boolean waitsFor(String name) {
        return waiting.contains(name);
    }

    @Override
    public void close() {
        readers.shutdown(); // a reader that waits for a hung VMM stays until it answers: a daemon thread
        Link l = connection;
        connection = null;
        if (l != null) {
            l.leave(); // closed now, or by the last read under way on it
        }
    }
}
