package io.acp.cluster.sync.simulation;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectLog;
import io.acp.cluster.sync.ClusterSync;
import io.acp.cluster.sync.StateDigest;
import io.acp.cluster.sync.SyncEnvironment;
import io.acp.cluster.sync.SyncSettings;
import io.acp.model.HybridClock;
import io.acp.testing.SeededRandom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * N real {@link ClusterSync} nodes over in-memory CDBs, all in one {@link SimWorld}: virtual clocks,
 * a {@link SimExecutor} per sync thread, a {@link SimNetwork}, random sources derived from one seed,
 * and real node keys and certificates from a {@link SimPki} derived from the same seed. A restart stops a node's sync and starts a new one on the same
 * CDB and data dir (a new epoch).
 */
final class SimCluster implements AutoCloseable {

    static final SyncSettings SETTINGS = SyncSettings.defaults("sim", "simulated cluster secret 0123456789", "239.9.9.9", 7000)
            .withTimings(Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ofMillis(2500), Duration.ofMillis(150));
    private static final Duration AWAIT = Duration.ofSeconds(30);

    final SimWorld world;
    final SimNetwork network;
    private final long seed;
    private final long wallEpochMillis;
    private final SimPki pki;
    private final Path root;
    private final List<String> ids = new ArrayList<>();
    private final List<Cdb> cdbs = new ArrayList<>();
    private final List<ClusterSync> syncs = new ArrayList<>();
    private final List<Integer> starts = new ArrayList<>();

    SimCluster(int n, long seed, long wallEpochMillis) {
        this.seed = seed;
        this.wallEpochMillis = wallEpochMillis;
        this.pki = new SimPki(seed, wallEpochMillis);
        this.world = new SimWorld(wallEpochMillis, new SimTrace());
        this.network = new SimNetwork(world, new Random(seed));
        try {
            root = Files.createTempDirectory("acp-sim-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 1; i <= n; i++) {
            String id = "n" + i;
            ids.add(id);
            pki.provision(root.resolve(id), id);
            cdbs.add(new Cdb(id, new HybridClock(world::wallMillis), ObjectLog.NONE, 5));
            syncs.add(null);
            starts.add(0);
            start(i);
        }
    }

    private void start(int oneBased) {
        int i = oneBased - 1;
        String id = ids.get(i);
        starts.set(i, starts.get(i) + 1);
        SyncEnvironment env = new SyncEnvironment(world::nanoTime, world::wallMillis, SeededRandom.of("sim " + seed + " sync " + id + " start " + starts.get(i)),
                name -> new SimExecutor(world, name), s -> network.open(id, SimNetwork.address(oneBased)), name -> null);
        ClusterSync sync = new ClusterSync(cdbs.get(i), SETTINGS, id, root.resolve(id), t -> t, env);
        sync.start().await().atMost(AWAIT);
        syncs.set(i, sync);
        world.trace().record("start " + id + " epoch " + sync.epoch() + " @" + world.nanoTime());
    }

    /** Stops node {@code oneBased}'s sync and starts a new one on the same CDB and data dir. */
    void restart(int oneBased) {
        syncs.get(oneBased - 1).stop().await().atMost(AWAIT);
        world.trace().record("stop " + ids.get(oneBased - 1) + " @" + world.nanoTime());
        start(oneBased);
    }

    /**
     * Node {@code oneBased} comes back on a new, empty disk: its sync stops, its CDB and data dir
     * are gone, and it starts on an empty CDB with a new node key and certificate (the same node
     * id), as an operator re-provisions a replaced disk.
     */
    void rejoinWithEmptyDisk(int oneBased) {
        int i = oneBased - 1;
        String id = ids.get(i);
        syncs.get(i).stop().await().atMost(AWAIT);
        cdbs.get(i).close();
        Path dir = root.resolve(id);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pki.provision(dir, id);
        cdbs.set(i, new Cdb(id, new HybridClock(world::wallMillis), ObjectLog.NONE, 5));
        world.trace().record("wiped " + id + " @" + world.nanoTime());
        start(oneBased);
    }

    /** The wall-clock time at virtual time zero (with the seed, what a replay needs). */
    long wallEpochMillis() {
        return wallEpochMillis;
    }

    int size() {
        return ids.size();
    }

    String id(int oneBased) {
        return ids.get(oneBased - 1);
    }

    Cdb cdb(int oneBased) {
        return cdbs.get(oneBased - 1);
    }

    ClusterSync sync(int oneBased) {
        return syncs.get(oneBased - 1);
    }

    StateDigest digest(int oneBased) {
        return sync(oneBased).digest();
    }

    /** Every node's objects, meta and stats with their versions, for a failure message. */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= size(); i++) {
            b.append("\n  ").append(id(i)).append(' ').append(digest(i)).append(':');
            for (io.acp.model.ObjectEntry o : cdb(i).objects(new io.acp.cluster.ObjectQuery(null, null, null, null, true))) {
                b.append("\n    ").append(o.key()).append(' ').append(o.version()).append(o.deleted() ? " deleted" : "");
                cdb(i).meta(o.key(), null).forEach(m -> b.append("\n      meta of ").append(m.node()).append(' ').append(m.version()));
                cdb(i).stats(o.key(), null).forEach(m -> b.append("\n      stats of ").append(m.node()).append(' ').append(m.version()));
            }
            for (int j = 1; j <= size(); j++) {
                io.acp.model.ObjectKey k = io.acp.model.ObjectKey.of(io.acp.model.ObjectType.NODE, id(j));
                cdb(i).meta(k, null).forEach(m -> b.append("\n    ").append(k).append(" meta of ").append(m.node()).append(' ').append(m.version())
                        .append(' ').append(m.values().toString(), 0, Math.min(80, m.values().toString().length())));
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (ClusterSync s : syncs) {
            if (s != null && s.running()) {
                s.stop().await().atMost(AWAIT);
            }
        }
        cdbs.forEach(Cdb::close);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
