package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.MergeOutcome;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a node hands an object it holds under a tag only back to its author, and what the author does with one. */
class ObjectReturnsTest {

    private static final long MIN_AGE = 2_000;
    private static final long WRITTEN = 1_000_000;

    @Test
    void anUnsealedObjectIsReturnedOnceLateSpacedAndGivenUpAfterItsTriesUntilItsAuthorRestarts() {
        Cdb cdb = Cdb.inMemory("n1");
        ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, "a"), null, Json.object(), new Version(HybridClock.fromMillis(WRITTEN), "n2"), false);
        assertThat(cdb.mergeFrom(e)).isEqualTo(MergeOutcome.TAKEN);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(e.key()).isPresent(), "the object is held");
        ObjectReturns returns = new ObjectReturns(cdb, new SealStore(cdb), MIN_AGE);
        returns.tookTagged(e);

        assertThat(returns.due(WRITTEN + MIN_AGE - 1, n -> true)).as("its seal is not late yet").isEmpty();
        assertThat(returns.due(WRITTEN + MIN_AGE, n -> false)).as("its author is not heard").isEmpty();
        long now = WRITTEN + MIN_AGE;
        for (int i = 0; i < ObjectReturns.MAX_ATTEMPTS; i++) {
            assertThat(returns.due(now, n -> true)).as("try %d", i + 1).isEqualTo(Map.of("n2", List.of(e)));
            assertThat(returns.due(now + MIN_AGE - 1, n -> true)).as("not again within the minimum age").isEmpty();
            now += MIN_AGE;
        }
        assertThat(returns.due(now, n -> true)).as("given up after its tries").isEmpty();
        assertThat(returns.givenUp()).isEqualTo(1);
        assertThat(returns.due(now + 10 * MIN_AGE, n -> true)).isEmpty();

        returns.authorRestarted("n2");
        assertThat(returns.due(now + 10 * MIN_AGE, n -> true)).as("due again once its author restarted").isEqualTo(Map.of("n2", List.of(e)));
        assertThat(returns.tracked()).isEqualTo(1);
    }

    @Test
    void aReplacedObjectIsNoLongerReturned() {
        Cdb cdb = Cdb.inMemory("n1");
        ObjectKey key = ObjectKey.of(ObjectType.ALARM, "a");
        ObjectEntry e = new ObjectEntry(key, null, Json.object(), new Version(HybridClock.fromMillis(WRITTEN), "n2"), false);
        cdb.mergeFrom(e);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(key).isPresent(), "the object is held");
        ObjectReturns returns = new ObjectReturns(cdb, new SealStore(cdb), MIN_AGE);
        returns.tookTagged(e);
        ObjectEntry newer = new ObjectEntry(key, null, Json.object().put("v", 2), new Version(HybridClock.fromMillis(WRITTEN + 1), "n3"), false);
        cdb.mergeFrom(newer);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(key).orElseThrow().version().equals(newer.version()), "the newer version is held");

        assertThat(returns.due(WRITTEN + MIN_AGE, n -> true)).isEmpty();
        assertThat(returns.tracked()).isZero();
    }

    /**
     * After an overload many objects wait for their seal, and those of a dead author wait until it
     * is back. A round looks up only those that may be due; every {@value ObjectReturns#LOOK_AT_ALL_ROUNDS}
     * rounds it looks at all, and forgets what was replaced or sealed meanwhile.
     */
    @Test
    void objectsThatCannotBeDueAreNotLookedUpEveryRoundAndAreForgottenOnceReplaced() {
        Cdb cdb = Cdb.inMemory("n1");
        ObjectReturns returns = new ObjectReturns(cdb, new SealStore(cdb), MIN_AGE);
        int objects = 500;
        for (int i = 0; i < objects; i++) {
            ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, "a" + i), null, Json.object(), new Version(HybridClock.fromMillis(WRITTEN), "n2"), false);
            cdb.mergeFrom(e);
            returns.tookTagged(e);
        }
        ObjectKey replacedKey = ObjectKey.of(ObjectType.ALARM, "a7");
        ObjectEntry newer = new ObjectEntry(replacedKey, null, Json.object().put("v", 2), new Version(HybridClock.fromMillis(WRITTEN + 1), "n3"), false);
        cdb.mergeFrom(newer);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(replacedKey).map(h -> h.version().equals(newer.version())).orElse(false)
                && cdb.entry(ObjectKey.of(ObjectType.ALARM, "a" + (objects - 1))).isPresent(), "the objects are held");

        long now = WRITTEN + MIN_AGE;
        for (int round = 1; round < ObjectReturns.LOOK_AT_ALL_ROUNDS; round++) {
            assertThat(returns.due(now + round, n -> false)).as("round %d: the author is not heard", round).isEmpty();
        }
        assertThat(returns.lookedUp()).as("look-ups while none can be due").isZero();
        assertThat(returns.tracked()).isEqualTo(objects);

        assertThat(returns.due(now + ObjectReturns.LOOK_AT_ALL_ROUNDS, n -> false)).isEmpty();
        assertThat(returns.lookedUp()).as("the round that looks at every object").isEqualTo(objects);
        assertThat(returns.tracked()).as("the replaced one forgotten").isEqualTo(objects - 1);

        Map<String, List<ObjectEntry>> due = returns.due(now + ObjectReturns.LOOK_AT_ALL_ROUNDS + 1, n -> true);
        assertThat(due.get("n2")).as("the author heard again: its share of a round").hasSize(ObjectReturns.MAX_PER_ROUND);
        assertThat(returns.lookedUp() - objects).as("look-ups: until the author's share is full").isEqualTo(ObjectReturns.MAX_PER_ROUND);
    }

    @Test
    void theAuthorSealsAgainWhatItHoldsTakesBackWhatAnEarlierLifeWroteAndRefusesTheRest() {
        ObjectKey key = ObjectKey.of(ObjectType.ALARM, "a");
        long started = 5_000_000;
        ObjectEntry before = new ObjectEntry(key, null, Json.object(), new Version(HybridClock.fromMillis(started - 1), "n1"), false);
        ObjectEntry since = new ObjectEntry(key, null, Json.object(), new Version(HybridClock.fromMillis(started + 1), "n1"), false);

        assertThat(ObjectReturns.onReturned(before, Optional.of(before), started)).isEqualTo(ObjectReturns.Outcome.SEAL_AGAIN);
        assertThat(ObjectReturns.onReturned(before, Optional.empty(), started)).isEqualTo(ObjectReturns.Outcome.TAKE_BACK);
        assertThat(ObjectReturns.onReturned(before, Optional.of(since), started)).isEqualTo(ObjectReturns.Outcome.STALE);
        assertThat(ObjectReturns.onReturned(since, Optional.empty(), started)).isEqualTo(ObjectReturns.Outcome.NOT_OF_AN_EARLIER_LIFE);
        assertThat(ObjectReturns.onReturned(since, Optional.of(before), started)).isEqualTo(ObjectReturns.Outcome.NOT_OF_AN_EARLIER_LIFE);
    }
}
