package io.acp.cluster.sync;

import io.acp.cluster.sync.transport.MulticastTransport;
import io.acp.cluster.sync.transport.PeerListTransport;
import io.acp.cluster.sync.transport.Transport;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Everything a {@link ClusterSync} takes from the world outside its protocol: time, randomness,
 * the thread its protocol runs on and the transport. Production uses {@link #system}; a simulation
 * passes a seeded random, a virtual clock, a scheduler it steps itself and an in-memory network,
 * so one seed replays one run exactly.
 *
 * @param nanoTime   monotonic time for intervals
 * @param wallMillis wall-clock time, for the epoch and membership timeouts
 * @param random     every random draw of the sync: anti-entropy's choice of peers and the secret
 *                   seeds of the heartbeat hash chains ({@code ControlSealer}), so it must be a
 *                   strong, unseeded {@link SecureRandom} outside a simulation
 * @param executors  the sync thread of one run of the node (a new one per start)
 * @param transports the transport for the settings, before any test layer wraps it
 * @param sealers    where a node signs the seal of what it sent under pair tags, off its sync thread
 *                   (null for a node: on the sync thread itself, as a simulation, which runs on one
 *                   thread, needs)
 */
public record SyncEnvironment(LongSupplier nanoTime, LongSupplier wallMillis, SecureRandom random,
                              Function<String, ScheduledExecutorService> executors,
                              Transports transports, Function<String, Executor> sealers) {

    /** Opens the transport of one run of the node. */
    @FunctionalInterface
    public interface Transports {
        Transport open(SyncSettings settings) throws IOException;
    }

    /**
     * The real world: system clocks, the platform's strong random, a daemon thread, real sockets.
     * The random seeds the hash chains that prove this node's heartbeats: it must stay the default
     * {@code new SecureRandom()} (seeded by the operating system, never by a caller; checked by
     * {@code SyncEnvironmentTest}), or anyone who guessed the seed could speak as this node.
     */
    public static SyncEnvironment system() {
        return new SyncEnvironment(System::nanoTime, System::currentTimeMillis, new SecureRandom(),
                node -> Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "acp-sync-" + node);
                    t.setDaemon(true);
                    return t;
                }),
                SyncEnvironment::socketTransport, SyncEnvironment::sealerThread);
    }

    /**
     * One thread per node that signs the seals of its tagged deltas (a heartbeat's worth at a time),
     * so the sync thread does not wait the signature out with the node's next writes behind it
     * (docs/protocol.md, "Tagged deltas"). It ends when idle, so a stopped node leaves none behind.
     */
    private static Executor sealerThread(String node) {
        return new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "acp-sync-seal-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    private static Transport socketTransport(SyncSettings settings) throws IOException {
        return settings.mode() == SyncSettings.Mode.UNICAST
                ? new PeerListTransport(settings.unicastBind(), settings.peers())
                : new MulticastTransport(settings.group(), settings.port(), settings.multicastInterface(), settings.ttl());
    }

    /** The same environment with other sealers (a test that holds a signature back). */
    public SyncEnvironment withSealers(Function<String, Executor> other) {
        return new SyncEnvironment(nanoTime, wallMillis, random, executors, transports, other);
    }

    /** The same environment with another random source (a seeded one a test chose). */
    public SyncEnvironment withRandom(SecureRandom other) {
        return new SyncEnvironment(nanoTime, wallMillis, other, executors, transports, sealers);
    }
}
