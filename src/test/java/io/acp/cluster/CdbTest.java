package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CdbTest {

    private static final ObjectKey NODE1 = ObjectKey.of(ObjectType.NODE, "n1");
    private static final ObjectKey VLAN = ObjectKey.of(ObjectType.NETWORK, "v100");
    private static final ObjectKey TRUNK = ObjectKey.of(ObjectType.NETWORK, "t1");
    private static final ObjectKey POOL = ObjectKey.of(ObjectType.STORAGE, "pool-a");

    private final AtomicLong wall = new AtomicLong(1_764_000_000_000L);
    private final Cdb cdb = new Cdb("n1", new HybridClock(wall::get), ObjectLog.NONE, 5);

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(5));
    }

    private static AcpException failure(Uni<?> uni) {
        Throwable t = uni.onItem().transform(x -> (Throwable) null).onFailure().recoverWithItem(f -> f).await().atMost(Duration.ofSeconds(5));
        assertThat(t).as("expected a failure").isInstanceOf(AcpException.class);
        return (AcpException) t;
    }

    private static JsonNode spec(int n) {
        return Json.object().put("n", n);
    }

    private ObjectEntry put(ObjectKey key, String subtype, int n) {
        return await(cdb.putObject(key, subtype, spec(n), null));
    }

    @Test
    void putThenGet() {
        ObjectEntry stored = put(VLAN, "vlan", 1);

        assertThat(stored.version().node()).isEqualTo("n1");
        assertThat(stored.node()).isEqualTo("n1");
        assertThat(cdb.object(VLAN)).contains(stored);
        assertThat(cdb.object(VLAN).orElseThrow().spec()).isEqualTo(spec(1));
        assertThat(cdb.object(TRUNK)).isEmpty();
        assertThat(cdb.objectCount()).isEqualTo(1);
    }

    @Test
    void updateMetaKeepsTheFieldsOfOtherWritersAndSkipsNoChange() {
        cdb.putMeta(VLAN, Json.object().put("state", "running"));
        Optional<MetaEntry> added = cdb.updateMeta(VLAN, v -> v.put("role", "primary"));
        cdb.updateMeta(VLAN, v -> v.put("state", "failed"));

        assertThat(added).isPresent();
        assertThat(cdb.meta(VLAN, "n1").get(0).values()).isEqualTo(Json.object().put("state", "failed").put("role", "primary"));
        MetaEntry before = cdb.meta(VLAN, "n1").get(0);
        assertThat(cdb.updateMeta(VLAN, v -> v.put("role", "primary"))).as("unchanged values write nothing").isEmpty();
        assertThat(cdb.meta(VLAN, "n1").get(0).version()).isEqualTo(before.version());
    }

    @Test
    void laterPutReplacesWithAHigherVersion() {
        ObjectEntry first = put(VLAN, "vlan", 1);
        ObjectEntry second = put(VLAN, "vlan", 2);

        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(cdb.object(VLAN)).contains(second);
    }

    @Test
    void storedSpecIsACopy() {
        var spec = Json.object().put("n", 1);
        await(cdb.putObject(VLAN, "vlan", spec, null));
        spec.put("n", 99);
        assertThat(cdb.object(VLAN).orElseThrow().spec().get("n").asInt()).isEqualTo(1);
    }

    @Test
    void typedQueries() {
        put(VLAN, "vlan", 1);
        put(TRUNK, "trunk", 2);
        put(POOL, "pool", 3);
        put(NODE1, null, 4);
        cdb.merge(new ObjectEntry(ObjectKey.of(ObjectType.NODE, "n2"), null, spec(5), new Version(HybridClock.fromMillis(wall.get()) + 100, "n2"), false));
        ObjectKey gone = ObjectKey.of(ObjectType.NETWORK, "gone");
        put(gone, "vlan", 6);
        await(cdb.deleteObject(gone));

        assertThat(ids(cdb.objects(ObjectQuery.all()))).containsExactly("node/n1", "node/n2", "storage/pool-a", "network/t1", "network/v100");
        assertThat(ids(cdb.objects(ObjectQuery.ofType(ObjectType.NETWORK)))).containsExactly("network/t1", "network/v100");
        assertThat(ids(cdb.objects(new ObjectQuery(ObjectType.NETWORK, "vlan", null, null, false)))).containsExactly("network/v100");
        assertThat(ids(cdb.objects(new ObjectQuery(null, null, "pool-a", null, false)))).containsExactly("storage/pool-a");
        assertThat(ids(cdb.objects(new ObjectQuery(null, null, null, "n2", false)))).containsExactly("node/n2");
        assertThat(ids(cdb.objects(new ObjectQuery(ObjectType.NETWORK, null, null, null, true)))).containsExactly("network/gone", "network/t1", "network/v100");
        assertThat(cdb.objects(new ObjectQuery(ObjectType.NETWORK, "vlan", null, null, true)))
                .filteredOn(ObjectEntry::deleted).extracting(ObjectEntry::id).containsExactly("gone");
        assertThat(cdb.objects(new ObjectQuery(ObjectType.ALARM, null, null, null, true))).isEmpty();
    }

    private static List<String> ids(List<ObjectEntry> entries) {
        return entries.stream().map(e -> e.key().toString()).toList();
    }

    @Test
    void deleteLeavesATombstone() {
        ObjectEntry live = put(VLAN, "vlan", 1);

        ObjectEntry tomb = await(cdb.deleteObject(VLAN));

        assertThat(tomb.deleted()).isTrue();
        assertThat(tomb.subtype()).isEqualTo("vlan");
        assertThat(tomb.version()).isGreaterThan(live.version());
        assertThat(cdb.object(VLAN)).isEmpty();
        assertThat(cdb.entry(VLAN)).contains(tomb);
    }

    @Test
    void deleteOfUnknownOrDeletedObjectIsNotFound() {
        AcpException e = failure(cdb.deleteObject(VLAN));
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.getMessage()).contains("network/v100");

        put(VLAN, "vlan", 1);
        ObjectEntry tomb = await(cdb.deleteObject(VLAN));
        AcpException again = failure(cdb.deleteObject(VLAN));
        assertThat(again.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(again.getMessage()).as("a second delete names the first").isEqualTo("object network/v100 not found: it was deleted at version "
                + tomb.version() + " by node n1");
    }

    @Test
    void conditionalPutSucceedsOnTheStoredVersion() {
        ObjectEntry first = put(VLAN, "vlan", 1);
        ObjectEntry second = await(cdb.putObject(VLAN, "vlan", spec(2), first.version()));
        assertThat(cdb.object(VLAN)).contains(second);
    }

    @Test
    void conditionalPutOnAnotherVersionIsAConflict() {
        ObjectEntry first = put(VLAN, "vlan", 1);
        put(VLAN, "vlan", 2);

        AcpException e = failure(cdb.putObject(VLAN, "vlan", spec(3), first.version()));

        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("network/v100").contains(first.version().toString());
        assertThat(cdb.object(VLAN).orElseThrow().spec()).isEqualTo(spec(2));
    }

    @Test
    void conditionalPutOfAnAbsentObjectIsAConflict() {
        AcpException e = failure(cdb.putObject(VLAN, "vlan", spec(1), new Version(5, "n1")));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(cdb.entry(VLAN)).isEmpty();
    }

    @Test
    void mustNotExistPutCreatesOnlyAbsentObjects() {
        ObjectEntry created = await(cdb.putObject(VLAN, "vlan", spec(1), Cdb.ABSENT));
        assertThat(cdb.object(VLAN)).contains(created);

        AcpException e = failure(cdb.putObject(VLAN, "vlan", spec(2), Cdb.ABSENT));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(e.getMessage()).contains("network/v100");
        assertThat(cdb.object(VLAN)).contains(created);

        await(cdb.deleteObject(VLAN));
        assertThat(await(cdb.putObject(VLAN, "vlan", spec(3), Cdb.ABSENT)).spec()).as("a deleted object counts as absent").isEqualTo(spec(3));
    }

    @Test
    void subtypeIsValidatedAgainstTheType() {
        AcpException missing = failure(cdb.putObject(POOL, null, spec(1), null));
        assertThat(missing.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(missing.getMessage()).contains("storage/pool-a").contains("device").contains("pool").contains("share");

        AcpException wrong = failure(cdb.putObject(VLAN, "pool", spec(1), null));
        assertThat(wrong.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(wrong.getMessage()).contains("'pool'").contains("vlan");

        AcpException unexpected = failure(cdb.putObject(NODE1, "vlan", spec(1), null));
        assertThat(unexpected.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(unexpected.getMessage()).contains("node/n1").contains("no subtypes");

        assertThat(cdb.objectCount()).isZero();
    }

    @Test
    void specMustBeAnObject() {
        AcpException e = failure(cdb.putObject(VLAN, "vlan", Json.MAPPER.createArrayNode(), null));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains("network/v100").contains("spec");
    }

    @Test
    void metaIsKeptPerNode() {
        MetaEntry mine = cdb.putMeta(VLAN, Json.object().put("state", "up"));
        MetaEntry theirs = new MetaEntry(VLAN, "n2", Json.object().put("state", "down"), new Version(HybridClock.fromMillis(wall.get()) + 50, "n2"));
        assertThat(cdb.merge(theirs)).isTrue();

        assertThat(cdb.meta(VLAN, null)).containsExactly(mine, theirs);
        assertThat(cdb.meta(VLAN, "n2")).containsExactly(theirs);
        assertThat(cdb.meta(VLAN, "n3")).isEmpty();
        assertThat(cdb.meta(TRUNK, null)).isEmpty();

        MetaEntry newer = cdb.putMeta(VLAN, Json.object().put("state", "degraded"));
        assertThat(cdb.meta(VLAN, "n1")).containsExactly(newer);
        assertThat(cdb.merge(theirs)).as("a duplicate changes nothing").isFalse();
    }

    @Test
    void statsAreKeptPerNodeWithTheLatestSample() {
        cdb.putStats(NODE1, Map.of("cpu", 0.1));
        StatsEntry latest = cdb.putStats(NODE1, Map.of("cpu", 0.2));
        StatsEntry theirs = new StatsEntry(NODE1, "n2", Map.of("cpu", 0.9), new Version(1, "n2"));
        assertThat(cdb.merge(theirs)).isTrue();

        assertThat(cdb.stats(NODE1, null)).containsExactly(latest, theirs);
        assertThat(cdb.stats(NODE1, "n2")).containsExactly(theirs);
        assertThat(cdb.merge(new StatsEntry(NODE1, "n2", Map.of("cpu", 0.0), new Version(0, "n2")))).as("older sample").isFalse();
        assertThat(cdb.stats(NODE1, "n2")).containsExactly(theirs);
    }

    @Test
    void statsHistoryIsBoundedAndOldestFirst() {
        List<StatsEntry> written = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            wall.addAndGet(1000);
            written.add(cdb.putStats(NODE1, Map.of("cpu", (double) i)));
        }

        assertThat(cdb.statsHistory(NODE1, "n1")).containsExactlyElementsOf(written.subList(3, 8));
        assertThat(cdb.statsHistory(NODE1, "n2")).isEmpty();
        assertThat(cdb.statsHistory(TRUNK, "n1")).isEmpty();
    }

    @Test
    void statsHistoryKeepsEachSamplesNamesAndValuesAcrossTheRing() {
        List<StatsEntry> written = new java.util.ArrayList<>();
        for (int i = 0; i < 13; i++) {
            wall.addAndGet(1000);
            Map<String, Double> values = i % 4 == 0 ? Map.of("cpu", (double) i) : i % 4 == 1 ? Map.of("cpu", (double) i, "mem", i * 2.0)
                    : new java.util.LinkedHashMap<>(Map.of("mem", -1.0 * i));
            written.add(cdb.putStats(NODE1, values));
        }
        StatsEntry older = new StatsEntry(NODE1, "n1", Map.of("cpu", 99.0), new Version(written.get(12).version().time() - 1, "n1"));
        assertThat(cdb.merge(older)).as("an older sample").isFalse();

        List<StatsEntry> history = cdb.statsHistory(NODE1, "n1");
        assertThat(history).containsExactlyElementsOf(written.subList(8, 13));
        assertThat(history.get(1).values()).isEqualTo(Map.of("cpu", 9.0, "mem", 18.0));
        assertThat(cdb.stats(NODE1, "n1")).containsExactly(written.get(12));
    }

    @Test
    void statsHistoryKeepsSamplesOfOtherWritersAndOfMoreValues() {
        long t = HybridClock.fromMillis(wall.get());
        List<StatsEntry> merged = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // a peer's series whose samples are versioned by two writers, and that gains values on the way
            Map<String, Double> values = new java.util.LinkedHashMap<>();
            for (int v = 0; v <= i; v++) {
                values.put("m" + v, i * 10.0 + v);
            }
            StatsEntry e = new StatsEntry(NODE1, "n2", values, new Version(t + i, i % 3 == 0 ? "n2" : "n3"));
            assertThat(cdb.merge(e)).isTrue();
            merged.add(e);
        }

        assertThat(cdb.statsHistory(NODE1, "n2")).containsExactlyElementsOf(merged.subList(2, 7));
        assertThat(cdb.statsAttachment(NODE1, "n2", () -> "kept")).isEqualTo("kept");
        assertThat(cdb.statsAttachment(NODE1, "n2", () -> "made again")).as("made once per series").isEqualTo("kept");
        assertThat(cdb.statsAttachment(NODE1, "n9", () -> "none")).as("no series, nothing attached").isNull();
    }

    @Test
    void statsHistoryBelowCapacityHoldsEverySample() {
        StatsEntry a = cdb.putStats(NODE1, Map.of("cpu", 1.0));
        StatsEntry b = cdb.putStats(NODE1, Map.of("cpu", 2.0));
        assertThat(cdb.statsHistory(NODE1, "n1")).containsExactly(a, b);
    }

    @Test
    void mergeKeepsTheHigherVersionOfAnObject() {
        ObjectEntry local = put(VLAN, "vlan", 1);
        ObjectEntry older = new ObjectEntry(VLAN, "vlan", spec(0), new Version(local.version().time() - 1, "n9"), false);
        ObjectEntry newer = new ObjectEntry(VLAN, "vlan", spec(2), new Version(local.version().time() + 1, "n0"), false);

        assertThat(cdb.merge(older)).isFalse();
        assertThat(cdb.merge(newer)).isTrue();
        assertThat(cdb.merge(newer)).isFalse();
        assertThat(cdb.object(VLAN)).contains(newer);
        assertThat(put(VLAN, "vlan", 3).version()).as("the clock observed the merged version").isGreaterThan(newer.version());
    }

    @Test
    void deleteDropsReportsOlderThanTheTombstone() {
        put(VLAN, "vlan", 1);
        cdb.putMeta(VLAN, Json.object().put("state", "up"));
        cdb.putStats(VLAN, Map.of("rx", 1.0));
        ObjectEntry tomb = await(cdb.deleteObject(VLAN));

        assertThat(cdb.meta(VLAN, null)).isEmpty();
        assertThat(cdb.stats(VLAN, null)).isEmpty();
        MetaEntry late = new MetaEntry(VLAN, "n2", Json.object(), new Version(tomb.version().time() - 1, "n2"));
        assertThat(cdb.merge(late)).as("a report older than the delete arriving late").isFalse();

        MetaEntry after = cdb.putMeta(VLAN, Json.object().put("state", "gone"));
        assertThat(cdb.meta(VLAN, null)).containsExactly(after);
    }

    @Test
    void collectTombstonesDropsOldOnes() {
        put(VLAN, "vlan", 1);
        await(cdb.deleteObject(VLAN));
        put(TRUNK, "trunk", 1);

        assertThat(cdb.collectTombstones(wall.get())).isZero();
        assertThat(cdb.collectTombstones(wall.get() + 1)).isEqualTo(1);
        assertThat(cdb.entry(VLAN)).isEmpty();
        assertThat(cdb.object(TRUNK)).isPresent();
    }

    @Test
    void reportedKeysAreThoseOfTheTypeAskedAndLeaveWithTheirCollectedTombstone() {
        ObjectKey node2 = ObjectKey.of(io.acp.model.ObjectType.NODE, "n2");
        ObjectKey node1 = ObjectKey.of(io.acp.model.ObjectType.NODE, "n1");
        cdb.putStats(node2, java.util.Map.of("cpu", 0.5));
        cdb.putMeta(node1, Json.object().put("state", "up"));
        put(VLAN, "vlan", 1);
        cdb.putMeta(VLAN, Json.object().put("state", "up"));
        assertThat(cdb.reportedKeys(io.acp.model.ObjectType.NODE)).as("sorted by id, only nodes").containsExactly(node1, node2);
        assertThat(cdb.reportedKeys(VLAN.type())).containsExactly(VLAN);

        await(cdb.deleteObject(VLAN));
        assertThat(cdb.collectTombstones(wall.get() + 1)).isEqualTo(1);
        assertThat(cdb.reportedKeys(VLAN.type())).as("its reports went with the collected tombstone").isEmpty();
        assertThat(cdb.reportedKeys(io.acp.model.ObjectType.NODE)).containsExactly(node1, node2);
        cdb.putMeta(VLAN, Json.object().put("state", "back"));
        assertThat(cdb.reportedKeys(VLAN.type())).as("reported again").containsExactly(VLAN);
    }

    @Test
    void failedJournalWriteIsUndone() {
        FailingLog log = new FailingLog();
        Cdb journaled = new Cdb("n1", new HybridClock(wall::get), log, 5);
        ObjectEntry first = await(journaled.putObject(VLAN, "vlan", spec(1), null));
        log.fail = true;

        AcpException e = failure(journaled.putObject(VLAN, "vlan", spec(2), null));
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(journaled.object(VLAN)).contains(first);

        assertThat(failure(journaled.putObject(TRUNK, "trunk", spec(1), null)).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(journaled.entry(TRUNK)).isEmpty();
    }

    @Test
    void aFailedJournalWriteIsUndoneEvenIfNobodyWaitsForTheAnswer() {
        FailingLog log = new FailingLog();
        Cdb journaled = new Cdb("n1", new HybridClock(wall::get), log, 5);
        ObjectEntry first = await(journaled.putObject(VLAN, "vlan", spec(1), null));
        log.fail = true;

        journaled.putObject(VLAN, "vlan", spec(2), null); // result dropped on purpose
        journaled.putObject(TRUNK, "trunk", spec(1), null);

        assertThat(journaled.object(VLAN)).contains(first);
        assertThat(journaled.entry(TRUNK)).isEmpty();
    }

    @Test
    void recoverReplaysTheJournalAndAdvancesTheClock() {
        ObjectEntry stored = new ObjectEntry(VLAN, "vlan", spec(1), new Version(HybridClock.fromMillis(wall.get() + 60_000), "n1"), false);
        FailingLog log = new FailingLog();
        log.stored = List.of(stored);
        Cdb recovered = new Cdb("n1", new HybridClock(wall::get), log, 5);

        assertThat(recovered.recover()).isEqualTo(1);
        assertThat(recovered.object(VLAN)).contains(stored);
        assertThat(await(recovered.putObject(TRUNK, "trunk", spec(1), null)).version()).isGreaterThan(stored.version());
    }

    /** A journal that holds given entries and fails appends on demand. */
    private static final class FailingLog implements ObjectLog {
        volatile boolean fail;
        List<ObjectEntry> stored = List.of();

        @Override
        public List<ObjectEntry> load() {
            return stored;
        }

        @Override
        public Uni<Void> append(ObjectEntry entry) {
            return fail ? Uni.createFrom().failure(new AcpException(ErrorCode.INTERNAL, "journal of node n1: disk full")) : Uni.createFrom().voidItem();
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> compactQueued(Collection<ObjectEntry> live) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
        }
    }
}
