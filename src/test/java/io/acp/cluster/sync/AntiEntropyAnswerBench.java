package io.acp.cluster.sync;

import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.testing.BenchArgs;
import java.util.List;
import java.util.Random;

/**
 * What a holder spends finding the entries of one answer with leaves, without sealing or sending
 * them: two indexes of {@code objects} objects (an object and a meta each) that differ by
 * {@code changes} objects spread over the state; the puller probes once for the mask, then the
 * holder answers the same pull (8 buckets' leaves) {@code answers} times per round. The sealing
 * step is left out (it returns nothing), so the figure is the walk of the index and the comparison
 * of leaves. In this package: the index and anti-entropy are package-private.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.AntiEntropyAnswerBench [objects=500000] [changes=2000] [answers=200] [rounds=5]}
 */
public final class AntiEntropyAnswerBench {

    private static final long NOW = 1_700_000_000_000L;

    private AntiEntropyAnswerBench() {
    }

    public static void main(String[] args) {
        int objects = BenchArgs.whole(args, 0, "objects", 500_000);
        int changes = BenchArgs.whole(args, 1, "changes", 2_000);
        int answers = BenchArgs.whole(args, 2, "answers", 200);
        int rounds = BenchArgs.whole(args, 3, "rounds", 5);
        StateIndex holder = new StateIndex();
        StateIndex puller = new StateIndex();
        Version old = new Version(HybridClock.fromMillis(NOW - 60_000), "n1");
        for (int i = 0; i < objects; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + i);
            for (StateIndex index : new StateIndex[] {holder, puller}) {
                index.update(new ObjectEntry(key, null, Json.object().put("i", i), old, false));
                index.update(new MetaEntry(key, "n1", Json.object().put("state", "up"), old));
            }
        }
        Version changed = new Version(HybridClock.fromMillis(NOW - 20_000), "n1");
        for (int c = 0; c < changes; c++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + (int) ((long) c * 7919 % objects));
            holder.update(new ObjectEntry(key, null, Json.object().put("changed", c), changed, false));
        }
        AntiEntropy holding = new AntiEntropy(holder, new Random(1), 400_000, 5_000, () -> NOW);
        AntiEntropy pulling = new AntiEntropy(puller, new Random(1), 400_000, 5_000, () -> NOW);
        for (byte[] body : holding.answer(pulling.pullBody("h"), 1300, none -> List.of()).bodies()) {
            pulling.received("h", body); // the probe's answer: the mask the next pull lists buckets by
        }
        byte[] pull = pulling.pullBody("h");
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < answers; i++) {
                holding.answer(pull, 1300, none -> List.of());
            }
            System.out.printf("round %d: %d entries, %d objects changed: %.1f us per answer (a pull of %d bytes)%n",
                    round, holder.size(), changes, (System.nanoTime() - t0) / 1e3 / answers, pull.length);
        }
    }
}
