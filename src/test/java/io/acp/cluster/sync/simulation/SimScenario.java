package io.acp.cluster.sync.simulation;

import io.acp.cluster.sync.StateDigest;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Json;
import io.acp.model.Version;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.TreeSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One seeded run: 3–5 nodes, random writes, loss, partitions, heals and restarts, with the
 * invariants checked after every step (no version ever goes backwards on any node) and at the end,
 * after the faults stop and virtual time passes: equal digests everywhere, and every acknowledged
 * write present (or superseded by a newer one) on every node. A failure names the seed.
 */
final class SimScenario {

    static final int STEPS = 40;
    static final Duration SETTLE = Duration.ofSeconds(15);
    private static final int KEYS = 6;

    /** What a run leaves to compare: the trace hash and the final digest. */
    record Outcome(long seed, String traceHash, long events, StateDigest digest) {
    }

    private SimScenario() {
    }

    static Outcome run(long seed, long wallEpochMillis) {
        Random r = new Random(seed);
        int n = 3 + r.nextInt(3);
        try (SimCluster c = new SimCluster(n, seed, wallEpochMillis)) {
            Map<ObjectKey, Version> newestAcked = new LinkedHashMap<>();
            Map<String, Map<ObjectKey, Version>> seen = new HashMap<>();
            for (int step = 0; step < STEPS; step++) {
                int roll = r.nextInt(100);
                String action;
                if (roll < 55) {
                    int node = 1 + r.nextInt(n);
                    ObjectKey key = ObjectKey.of(ObjectType.NETWORK, "v" + r.nextInt(KEYS));
                    ObjectEntry e = c.cdb(node).putObject(key, "vlan", Json.object().put("step", step).put("seed", seed), null)
                            .await().atMost(Duration.ofSeconds(5));
                    newestAcked.merge(key, e.version(), (a, b) -> b.isNewerThan(a) ? b : a);
                    action = "write " + key + " at " + c.id(node);
                } else if (roll < 67) {
                    int loss = r.nextInt(60);
                    c.network.loss(loss);
                    action = "loss " + loss + "%";
                } else if (roll < 79) {
                    Set<String> side = new HashSet<>();
                    for (int i = 1; i <= n; i++) {
                        if (r.nextBoolean()) {
                            side.add(c.id(i));
                        }
                    }
                    c.network.partition(side);
                    action = "partition " + new TreeSet<>(side);
                } else if (roll < 91) {
                    c.network.partition(Set.of());
                    c.network.loss(0);
                    action = "heal";
                } else {
                    int node = 1 + r.nextInt(n);
                    c.restart(node);
                    action = "restart " + c.id(node);
                }
                c.world.trace().record("step " + step + " " + action);
                c.world.runFor(TimeUnit.MILLISECONDS.toNanos(r.nextInt(600)));
                checkNoVersionWentBack(c, seen, seed, step, action);
            }
            c.network.partition(Set.of());
            c.network.loss(0);
            c.world.trace().record("faults stop");
            c.world.runFor(SETTLE.toNanos());
            checkNoVersionWentBack(c, seen, seed, STEPS, "settle");
            StateDigest first = c.digest(1);
            for (int i = 2; i <= n; i++) {
                if (!c.digest(i).equals(first)) {
                    throw new AssertionError("seed " + seed + ": after the faults stopped and " + SETTLE + " passed, " + c.id(i)
                            + " holds digest " + c.digest(i) + " but " + c.id(1) + " holds " + first + replay(c, seed) + c.describe());
                }
            }
            for (int i = 1; i <= n; i++) {
                for (Map.Entry<ObjectKey, Version> acked : newestAcked.entrySet()) {
                    Version held = c.cdb(i).entry(acked.getKey()).map(ObjectEntry::version).orElse(null);
                    if (held == null || acked.getValue().isNewerThan(held)) {
                        throw new AssertionError("seed " + seed + ": acknowledged write of " + acked.getKey() + " at version "
                                + acked.getValue() + " is missing on " + c.id(i) + " (it holds " + held + ")" + replay(c, seed));
                    }
                }
            }
            c.world.trace().record("digest " + first);
            return new Outcome(seed, c.world.trace().hash(), c.world.trace().events(), first);
        }
    }

    private static void checkNoVersionWentBack(SimCluster c, Map<String, Map<ObjectKey, Version>> seen, long seed, int step, String action) {
        for (int i = 1; i <= c.size(); i++) {
            Map<ObjectKey, Version> before = seen.computeIfAbsent(c.id(i), x -> new LinkedHashMap<>());
            for (ObjectKey key : Set.copyOf(before.keySet())) {
                Version was = before.get(key);
                Version now = c.cdb(i).entry(key).map(ObjectEntry::version).orElse(null);
                if (now == null || was.isNewerThan(now)) {
                    throw new AssertionError("seed " + seed + " step " + step + " (" + action + "): " + key + " on " + c.id(i)
                            + " went back from version " + was + " to " + now + replay(c, seed));
                }
            }
            for (int k = 0; k < KEYS; k++) {
                ObjectKey key = ObjectKey.of(ObjectType.NETWORK, "v" + k);
                c.cdb(i).entry(key).ifPresent(e -> before.put(key, e.version()));
            }
        }
    }

    /** Where the run stood (its trace hash so far) and the command that replays it exactly. */
    private static String replay(SimCluster c, long seed) {
        return "; trace " + c.world.trace().hash() + " after " + c.world.trace().events() + " events; replay with scripts/bench-sim --seed "
                + seed + " --day " + ClusterSyncSimulationTest.day(c.wallEpochMillis());
    }
}
