package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest, the entry codec and the epoch file: the pieces anti-entropy and nonces rest on. */
class StateIndexTest {

    private static ObjectKey key(int i) {
        return ObjectKey.of(ObjectType.SYSTEM, "s" + i);
    }

    private static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            out.add(new ObjectEntry(key(i), null, Json.object().put("i", i), new Version(1000 + i, "n" + i % 3), false));
            out.add(new MetaEntry(key(i), "n1", Json.object().put("state", "up"), new Version(2000 + i, "n1")));
            out.add(new StatsEntry(key(i), "n2", Map.of("cpu", 0.5), new Version(3000 + i, "n2")));
        }
        return out;
    }

    @Test
    void theDigestDependsOnTheEntriesNotTheOrderTheyArrived() {
        List<Entry> all = entries();
        StateIndex a = new StateIndex();
        all.forEach(a::update);
        Collections.shuffle(all, new Random(3));
        StateIndex b = new StateIndex();
        all.forEach(b::update);
        all.forEach(b::update); // duplicates change nothing
        assertThat(b.root()).isEqualTo(a.root());
        assertThat(b.size()).isEqualTo(300);

        b.update(new MetaEntry(key(5), "n1", Json.object(), new Version(1, "n1")));
        assertThat(b.root()).as("an older entry is ignored").isEqualTo(a.root());
        b.update(new MetaEntry(key(5), "n1", Json.object(), new Version(9999, "n1")));
        assertThat(b.root()).isNotEqualTo(a.root());
        assertThat(b.size()).isEqualTo(300);
    }

    @Test
    void anObjectRewrittenByAnotherNodeStaysOneEntry() {
        StateIndex a = new StateIndex();
        a.update(new ObjectEntry(key(1), null, Json.object(), new Version(10, "n1"), false));
        ObjectEntry newer = new ObjectEntry(key(1), null, Json.object(), new Version(20, "n4"), false);
        a.update(newer);
        StateIndex b = new StateIndex();
        b.update(newer);
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.root()).isEqualTo(b.root());
    }

    @Test
    void statsCountBySeriesNotBySample() {
        StateIndex a = new StateIndex();
        entries().forEach(a::update);
        long root = a.root();
        a.update(new StatsEntry(key(7), "n2", Map.of("cpu", 0.9), new Version(99_999, "n2")));
        assertThat(a.root()).as("a newer sample of a known series").isEqualTo(root);
        a.update(new StatsEntry(key(7), "n3", Map.of("cpu", 0.9), new Version(99_999, "n3")));
        assertThat(a.root()).as("a new series").isNotEqualTo(root);
    }

    @Test
    void afterADeleteTheSideEntriesAreWhatTheCdbReports() {
        StateIndex a = new StateIndex();
        entries().forEach(a::update);
        a.replaceSideEntries(key(1), List.of());
        assertThat(a.size()).isEqualTo(298);
        assertThat(a.all()).noneMatch(e -> e.key().equals(key(1)) && e.kind() != Entry.Kind.OBJECT);
    }

    @Test
    void entriesRoundTripAndBrokenBodiesAreRejected() {
        List<Entry> all = entries().subList(0, 9);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        all.forEach(e -> body.writeBytes(EntryCodec.encode(e)));
        List<Entry> back = EntryCodec.decode(body.toByteArray());
        assertThat(back).extracting(Entry::version).containsExactlyElementsOf(all.stream().map(Entry::version).toList());
        byte[] bytes = body.toByteArray();
        assertThatThrownBy(() -> EntryCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EntryCodec.decode(new byte[] {0x7f, 0, 0, 0, '{'})).isInstanceOf(IllegalArgumentException.class);
        byte[] notJson = "\u0000\u0000\u0000\u0003abc".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> EntryCodec.decode(notJson)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTombstonesAreThoseItsObjectSlotsHoldNow() {
        StateIndex a = new StateIndex();
        entries().forEach(a::update);
        ObjectEntry gone1 = new ObjectEntry(key(1), null, Json.object(), new Version(5000, "n1"), true);
        ObjectEntry gone2 = new ObjectEntry(key(2), null, Json.object(), new Version(5000, "n1"), true);
        a.update(gone1);
        a.update(gone2);
        assertThat(a.tombstones()).containsExactlyInAnyOrder(gone1, gone2);
        ObjectEntry back = new ObjectEntry(key(2), null, Json.object(), new Version(6000, "n2"), false);
        a.update(back);
        assertThat(a.tombstones()).containsExactly(gone1);
        a.forgetCollected(gone1);
        assertThat(a.tombstones()).isEmpty();
        assertThat(a.size()).isEqualTo(299);
        ObjectEntry goneAgain = new ObjectEntry(key(2), null, Json.object(), new Version(7000, "n2"), true);
        a.update(goneAgain);
        a.update(gone2); // older: ignored
        assertThat(a.tombstones()).containsExactly(goneAgain);
    }

    @Test
    void theDigestHashesTheUtf8BytesOfEveryStringAsBefore() {
        for (String s : List.of("", "sim001-obj-17", "nöde", "日本", "a\uD800b", "\uD83D\uDE00", "x\u007f\u0080")) {
            long h = 0x1234_5678_9abc_def0L;
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xFF)) * 0x100000001b3L;
            }
            assertThat(StateIndex.fnv(0x1234_5678_9abc_def0L, s)).as(s).isEqualTo((h ^ 0xFF) * 0x100000001b3L);
        }
        // the digest of a fixed state, as the release before computed it: nodes of both must agree
        StateIndex a = new StateIndex();
        entries().forEach(a::update);
        a.update(new ObjectEntry(ObjectKey.of(ObjectType.NETWORK, "vlan9"), "vlan", Json.object(), new Version(5, "nœud"), false));
        a.update(new MetaEntry(ObjectKey.of(ObjectType.NETWORK, "vlan9"), "nœud", Json.object(), new Version(6, "nœud")));
        for (int i = 0; i < 50; i++) {
            a.update(new StatsEntry(key(i), "n2", Map.of("cpu", 0.7), new Version(9000 + i, "n2")));
        }
        assertThat(a.size()).isEqualTo(302);
        assertThat(a.root()).isEqualTo(EXPECTED_ROOT);
    }

    /** {@code StateIndex.root()} of the state above, computed by the release before this one (commit f30adeb). */
    private static final long EXPECTED_ROOT = 6742438675045416935L;

    @Test
    void everyCorruptionOfABodyIsOneTypedRejection() {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        entries().subList(0, 12).forEach(e -> body.writeBytes(EntryCodec.encode(e)));
        byte[] good = body.toByteArray();
        Random random = new Random(11);
        for (int round = 0; round < 5_000; round++) {
            byte[] bad = java.util.Arrays.copyOf(good, random.nextInt(good.length + 1));
            for (int flips = random.nextInt(4); flips >= 0 && bad.length > 0; flips--) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
            }
            try {
                EntryCodec.decode(bad);
            } catch (IllegalArgumentException expected) {
                // the one rejection allowed
            }
        }
    }

    @Test
    void theEpochGrowsAtEveryStartAndIsAtLeastTheClock(@TempDir Path dir) throws IOException {
        long first = EpochFile.bump(dir, 1_000);
        assertThat(first).isEqualTo(1_000);
        assertThat(EpochFile.bump(dir, 1_000)).isEqualTo(1_001);
        assertThat(EpochFile.bump(dir, 500)).as("a clock set back does not matter").isEqualTo(1_002);
        assertThat(EpochFile.bump(dir, 5_000)).isEqualTo(5_000);
        Files.writeString(dir.resolve(EpochFile.NAME), "garbage");
        assertThatThrownBy(() -> EpochFile.bump(dir, 1)).isInstanceOf(IOException.class).hasMessageContaining("not a number");
    }

    /** Settled at a cutoff, the buckets are those of an index that never saw the entries dated after it. */
    @Test
    void settledBucketsLeaveOutWhatWasWrittenAfterTheCutoff() {
        long t = 1_700_000_000_000L;
        StateIndex now = new StateIndex();
        StateIndex then = new StateIndex();
        for (int i = 0; i < 200; i++) {
            Entry old = new ObjectEntry(key(i), null, Json.object().put("i", i), new Version(io.acp.model.HybridClock.fromMillis(t - 5_000), "n1"), false);
            now.update(old);
            then.update(old);
        }
        for (int i = 0; i < 100; i++) { // rewritten, deleted with side entries, new: all after the cutoff
            long at = io.acp.model.HybridClock.fromMillis(t - 100 + i);
            now.update(new ObjectEntry(key(i), null, Json.object(), new Version(at, "n2"), i % 5 == 0));
            now.update(new ObjectEntry(key(1000 + i), null, Json.object(), new Version(at, "n2"), false));
            now.update(new MetaEntry(key(150 + i / 2), "n2", Json.object().put("k", i), new Version(at, "n2")));
        }
        now.replaceSideEntries(key(150), List.of());
        assertThat(now.root()).isNotEqualTo(then.root());
        assertThat(now.settledBuckets(t - 500)).isEqualTo(then.buckets());
        assertThat(now.settledBuckets(t + 1)).isEqualTo(now.buckets());
    }

    /** The stream order: positions ascending (unsigned), only the wanted buckets, resumable after any entry. */
    /** A bucket's hash is the sum of its leaves', settled or not; a leaf changes only with the entries of its own positions. */
    @Test
    void theLeavesOfABucketAddUpToItAndSettleLikeIt() {
        StateIndex index = new StateIndex();
        long now = 1_700_000_000_000L;
        for (int i = 0; i < 3000; i++) {
            index.update(new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "s" + i), null, Json.object(), new Version(io.acp.model.HybridClock.fromMillis(now - 60_000), "n1"), false));
        }
        ObjectEntry late = new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "s7"), null, Json.object().put("late", true), new Version(io.acp.model.HybridClock.fromMillis(now), "n1"), false);
        index.update(late);
        int[] all = new int[StateIndex.BUCKETS];
        for (int b = 0; b < all.length; b++) {
            all[b] = b;
        }
        for (long cutoff : new long[] {now + 1, now - 1}) {
            StateIndex.Settled settled = index.settled(cutoff, all);
            long[] buckets = settled.buckets();
            long[][] leaves = settled.leaves();
            assertThat(buckets).isEqualTo(index.settledBuckets(cutoff));
            for (int b = 0; b < all.length; b++) {
                assertThat(java.util.Arrays.stream(leaves[b]).sum()).as("bucket %d at cutoff %d", b, cutoff).isEqualTo(buckets[b]);
            }
        }
        int leaf = StateIndex.leaf(late);
        int bucket = leaf / StateIndex.LEAVES_PER_BUCKET;
        long[] before = index.settled(now - 1, new int[] {bucket}).leaves()[0];
        long[] after = index.settled(now + 1, new int[] {bucket}).leaves()[0];
        for (int l = 0; l < StateIndex.LEAVES_PER_BUCKET; l++) {
            assertThat(before[l] == after[l]).as("leaf %d of bucket %d", l, bucket).isEqualTo(l != leaf % StateIndex.LEAVES_PER_BUCKET);
        }
        assertThat(StateIndex.leafOf(StateIndex.position(late))).isEqualTo(leaf);
        assertThat(leaf / StateIndex.LEAVES_PER_BUCKET).isEqualTo(StateIndex.bucket(late));
    }

    @Test
    void entriesComeInPositionOrderFromAResumePoint() {
        StateIndex a = new StateIndex();
        entries().forEach(a::update);
        boolean[] all = new boolean[StateIndex.BUCKETS];
        java.util.Arrays.fill(all, true);
        List<Entry> walked = new ArrayList<>();
        long at = StateIndex.START;
        for (List<Entry> chunk = a.next(at, StateIndex.END, all, 7); !chunk.isEmpty(); chunk = a.next(at, StateIndex.END, all, 7)) {
            walked.addAll(chunk);
            at = StateIndex.position(chunk.get(chunk.size() - 1)) + 1;
        }
        assertThat(walked).hasSize(300).doesNotHaveDuplicates();
        for (int i = 1; i < walked.size(); i++) {
            assertThat(Long.compareUnsigned(StateIndex.position(walked.get(i - 1)), StateIndex.position(walked.get(i)))).isLessThanOrEqualTo(0);
        }
        boolean[] some = new boolean[StateIndex.BUCKETS];
        some[3] = true;
        some[200] = true;
        assertThat(a.next(StateIndex.START, StateIndex.END, some, 1000))
                .allMatch(e -> StateIndex.bucket(e) == 3 || StateIndex.bucket(e) == 200)
                .hasSize((int) walked.stream().filter(e -> StateIndex.bucket(e) == 3 || StateIndex.bucket(e) == 200).count());
    }
}
