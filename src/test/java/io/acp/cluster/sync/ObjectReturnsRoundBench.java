package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.testing.BenchArgs;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the heartbeat's round of unsealed objects ({@link ObjectReturns#due}) costs the sync thread
 * when many wait for their seal: {@code objects} objects taken under the tags of {@code authors}
 * authors, spread evenly, whose seals never come; the first {@code deadAuthors} authors are not
 * heard (their objects wait until they are back), the others are, and are handed their objects
 * back 64 per round until each has had its tries. Rounds as the node runs them: one per heartbeat
 * (500 ms of the node's clock apart, minimum age 2 s, the defaults), back to back here; the CDB is a
 * real in-memory one. Prints, per block of rounds, the time and the look-ups per round, objects
 * handed back and still tracked. In this package: ObjectReturns is package-private.
 *
 * <p>Usage: {@code java -cp … io.acp.cluster.sync.ObjectReturnsRoundBench [objects=50000] [authors=4] [deadAuthors=2] [rounds=3000] [block=600]}
 */
public final class ObjectReturnsRoundBench {

    private static final long WRITTEN = 1_700_000_000_000L;
    private static final long HEARTBEAT_MILLIS = 500;
    private static final long MIN_AGE_MILLIS = 2_000;

    private ObjectReturnsRoundBench() {
    }

    public static void main(String[] args) throws Exception {
        int objects = BenchArgs.whole(args, 0, "objects", 50_000);
        int authors = BenchArgs.whole(args, 1, "authors", 4);
        int dead = BenchArgs.whole(args, 2, "deadAuthors", 2);
        int rounds = BenchArgs.whole(args, 3, "rounds", 3_000);
        int block = BenchArgs.whole(args, 4, "block", 600);
        Cdb cdb = Cdb.inMemory("n0");
        ObjectReturns returns = new ObjectReturns(cdb, new SealStore(cdb), MIN_AGE_MILLIS);
        ObjectKey last = null;
        for (int i = 0; i < objects; i++) {
            last = ObjectKey.of(ObjectType.ALARM, "a" + i);
            ObjectEntry e = new ObjectEntry(last, null, Json.object().put("i", i),
                    new Version(HybridClock.fromMillis(WRITTEN + i / 100), "author" + (i % authors)), false);
            cdb.mergeFrom(e);
            returns.tookTagged(e);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (cdb.entry(last).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the in-memory CDB makes a merged object visible after its (null) journal write
        }
        Set<String> heardAuthors = new HashSet<>();
        for (int a = dead; a < authors; a++) {
            heardAuthors.add("author" + a);
        }
        Predicate<String> heard = heardAuthors::contains;
        System.out.printf("%d objects of %d authors (%d not heard), their seals never come; %d rounds, 500 ms apart on the node's clock%n",
                objects, authors, dead, rounds);
        System.out.printf("%12s %14s %18s %14s %10s%n", "rounds", "us per round", "looked up/round", "handed back", "tracked");
        long now = WRITTEN + MIN_AGE_MILLIS;
        for (int from = 1; from <= rounds; from += block) {
            long lookedUp = returns.lookedUp();
            long handedBack = 0;
            long t0 = System.nanoTime();
            int to = Math.min(rounds, from + block - 1);
            for (int r = from; r <= to; r++) {
                for (var list : returns.due(now, heard).values()) {
                    handedBack += list.size();
                }
                now += HEARTBEAT_MILLIS;
            }
            long nanos = System.nanoTime() - t0;
            int n = to - from + 1;
            System.out.printf("%5d..%-6d %14.1f %18.0f %14d %10d%n", from, to, nanos / 1e3 / n, (returns.lookedUp() - lookedUp) / (double) n,
                    handedBack, returns.tracked());
        }
        cdb.close();
    }
}
