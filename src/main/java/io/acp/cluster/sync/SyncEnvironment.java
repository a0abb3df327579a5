package io.acp.cluster.sync;

import io.acp.cluster.sync.transport.MulticastTransport;
import io.acp.cluster.sync.transport.PeerListTransport;
import io.acp.cluster.sync.transport.Transport;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * @param random     anti-entropy's choice of peers
 * @param executors  the sync thread of one run of the node (a new one per start)
 * @param transports the transport for the settings, before any test layer wraps it
 */
public record SyncEnvironment(LongSupplier nanoTime, LongSupplier wallMillis, Random random,
                              Function<String, ScheduledExecutorService> executors,
                              Transports transports) {

    /** Opens the transport of one run of the node. */
    @FunctionalInterface
    public interface Transports {
        Transport open(SyncSettings settings) throws IOException;
    }

    /** The real world: system clocks, a securely seeded random, a daemon thread, real sockets. */
    public static SyncEnvironment system() {
        return new SyncEnvironment(System::nanoTime, System::currentTimeMillis, new Random(new SecureRandom().nextLong()),
                node -> Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "acp-sync-" + node);
                    t.setDaemon(true);
                    return t;
                }),
                SyncEnvironment::socketTransport);
    }

    private static Transport socketTransport(SyncSettings settings) throws IOException {
        return settings.mode() == SyncSettings.Mode.UNICAST
                ? new PeerListTransport(settings.unicastBind(), settings.peers())
                : new MulticastTransport(settings.group(), settings.port(), settings.multicastInterface(), settings.ttl());
    }

    /** The same environment with another random source (a seed a test chose). */
    public SyncEnvironment withRandom(Random other) {
        return new SyncEnvironment(nanoTime, wallMillis, other, executors, transports);
    }
}
