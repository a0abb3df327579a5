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
import io.acp.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a node hands an object it holds under a tag only back to its author, and what the author does with one. */
class ObjectReturnsTest {

    private static final long MIN_AGE = 2_000;
    private static final long WRITTEN = 1_000_000;

    /** Node n1's CDB and its round of unsealed objects; a new pair for each test. */
    private final Cdb cdb = Cdb.inMemory("n1");
    private final ObjectReturns returns = new ObjectReturns(cdb, new SealStore(cdb), MIN_AGE);

    @Test
    void anUnsealedObjectIsReturnedOnceLateSpacedAndGivenUpAfterItsTriesUntilItsAuthorRestarts() {
        ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, "a"), null, Json.object(), new Version(HybridClock.fromMillis(WRITTEN), "n2"), false);
        assertThat(cdb.mergeFrom(e)).isEqualTo(MergeOutcome.TAKEN);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(e.key()).isPresent(), "the object is held");
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

    /**
     * An author that pulls from this node is catching up, and would take answers that lack its
     * unsealed objects for proof it holds everything: they go back with each of its pulls, a lost
     * hand-back followed by the next at its next pull, not a minimum age later. Not an object whose
     * seal is not late yet (it may still come).
     */
    @Test
    void anAuthorThatPullsGetsItsLateObjectsBackWithEachPull() {
        ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, "a"), null, Json.object(), new Version(HybridClock.fromMillis(WRITTEN), "n2"), false);
        cdb.mergeFrom(e);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(e.key()).isPresent(), "the object is held");
        returns.tookTagged(e);

        assertThat(returns.dueOnPull("n2", WRITTEN + MIN_AGE - 1)).as("its seal is not late yet").isEmpty();
        assertThat(returns.due(WRITTEN + MIN_AGE, n -> true)).as("the round's hand-back (lost on the way)").isEqualTo(Map.of("n2", List.of(e)));
        assertThat(returns.due(WRITTEN + MIN_AGE + 1, n -> true)).as("the next round's: a minimum age later").isEmpty();

        assertThat(returns.dueOnPull("n2", WRITTEN + MIN_AGE + 1)).as("the author's pull, a moment later").containsExactly(e);
        assertThat(returns.dueOnPull("n2", WRITTEN + MIN_AGE + 2)).as("and its next pull").containsExactly(e);
        assertThat(returns.dueOnPull("n3", WRITTEN + MIN_AGE + 2)).as("another author's pull").isEmpty();
    }

    @Test
    void aReplacedObjectIsNoLongerReturned() {
        ObjectKey key = ObjectKey.of(ObjectType.ALARM, "a");
        ObjectEntry e = new ObjectEntry(key, null, Json.object(), new Version(HybridClock.fromMillis(WRITTEN), "n2"), false);
        cdb.mergeFrom(e);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(key).isPresent(), "the object is held");
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
        int objects = 500;
        takenUnderTags("a", "n2", objects, 0);
        ObjectKey replacedKey = ObjectKey.of(ObjectType.ALARM, "a7");
        ObjectEntry newer = new ObjectEntry(replacedKey, null, Json.object().put("v", 2), new Version(HybridClock.fromMillis(WRITTEN + 1), "n3"), false);
        cdb.mergeFrom(newer);
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(replacedKey).map(h -> h.version().equals(newer.version())).orElse(false),
                "the newer version is held");

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

    /**
     * A round walks each author's objects from the one whose seal has been late longest, and stops
     * at the first not due yet or when the author's share is full; an author not heard costs it
     * nothing. Walking every tracked object at every heartbeat was 3-6 % of the sync thread while
     * tens of thousands waited.
     */
    @Test
    void aRoundVisitsOnlyTheObjectsThatMayBeDueNotEveryTrackedOne() {
        int each = 300;
        takenUnderTags("d", "n2", each, 0);
        takenUnderTags("h", "n3", each, 1); // a millisecond apart: late one by one

        for (int round = 1; round < ObjectReturns.LOOK_AT_ALL_ROUNDS - 1; round++) {
            assertThat(returns.due(WRITTEN + MIN_AGE - 1, "n3"::equals)).as("round %d: n2 not heard, n3's seals not late yet", round).isEmpty();
        }
        assertThat(returns.visited()).as("objects visited while none was due").isZero();

        Map<String, List<ObjectEntry>> due = returns.due(WRITTEN + MIN_AGE + 9, "n3"::equals);
        assertThat(due.keySet()).containsExactly("n3");
        assertThat(due.get("n3")).extracting(e -> e.key().id()).as("the ten of n3 late by now, the longest late first")
                .containsExactly("h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9");
        assertThat(returns.visited()).as("visited: the ten due, then the first not due stops the walk").isEqualTo(10);

        due = returns.due(WRITTEN + 2 * MIN_AGE + 9, "n3"::equals); // the 30th round looks at all
        assertThat(returns.visited() - 10).as("the round that looks at every object").isEqualTo(2 * each);
        assertThat(due.get("n3")).as("a full share, the ten handed back last round behind the rest").hasSize(ObjectReturns.MAX_PER_ROUND)
                .first().extracting(e -> e.key().id()).isEqualTo("h10");
        assertThat(returns.tracked()).isEqualTo(2 * each);
    }

    /** After an overload thousands may be given up in one round: one line per author, not one per object. */
    @Test
    void objectsGivenUpInOneRoundAreLoggedInOneLine() {
        int objects = ObjectReturns.MAX_PER_ROUND;
        takenUnderTags("g", "n2", objects, 0);
        long now = WRITTEN + MIN_AGE;
        for (int i = 0; i < ObjectReturns.MAX_ATTEMPTS; i++, now += MIN_AGE) {
            assertThat(returns.due(now, n -> true).get("n2")).as("try %d", i + 1).hasSize(objects);
        }
        try (LogCapture log = new LogCapture(ObjectReturns.class.getName())) {
            assertThat(returns.due(now, n -> true)).isEmpty();
            assertThat(returns.givenUp()).isEqualTo(objects);
            assertThat(log.lines()).filteredOn(l -> l.contains("gave up handing")).singleElement().asString()
                    .contains("alarm/g0", "and " + (objects - 1) + " more of its objects", "author n2", "after 8 tries each");
        }
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

    /**
     * Merges objects {@code prefix}0, {@code prefix}1 … of {@code author}, the i-th dated
     * {@code WRITTEN + millisApart × i}, takes each under a tag, and waits until all are held.
     */
    private void takenUnderTags(String prefix, String author, int count, long millisApart) {
        for (int i = 0; i < count; i++) {
            ObjectEntry e = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, prefix + i), null, Json.object(),
                    new Version(HybridClock.fromMillis(WRITTEN + millisApart * i), author), false);
            cdb.mergeFrom(e);
            returns.tookTagged(e);
        }
        ObjectKey last = ObjectKey.of(ObjectType.ALARM, prefix + (count - 1));
        Eventually.await(Duration.ofSeconds(5), () -> cdb.entry(last).isPresent(), "the objects are held");
    }
}
