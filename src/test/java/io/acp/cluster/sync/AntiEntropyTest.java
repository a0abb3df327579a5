package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull-and-answer exchanges between indexes, without the network: the real pull and answer bodies,
 * sealed with a real node key, bodies lost on purpose. The puller's stream resumes where it stopped,
 * asks again only for what was lost, goes on from another holder, and ends on the holder's digest.
 */
class AntiEntropyTest {

    /** The wall clock of every node here, in ms: entries dated before it minus the horizon are settled. */
    private static final long NOW = 1_700_000_000_000L;
    private static final long HORIZON = 500;

    @TempDir
    Path dir;

    private NodeSigner n1;

    @BeforeEach
    void pki() {
        n1 = TestPki.signer(TestPki.newCluster(dir.resolve("ca"), "test"), dir.resolve("n1"), "n1");
    }

    /** A signer for each of {@code nodes} (a node may be named twice: two certificates of it), under a CA of their own. */
    private NodeSigner[] signers(String... nodes) {
        PkiFiles ca = TestPki.newCluster(dir.resolve("own-ca"), "test");
        NodeSigner[] out = new NodeSigner[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            out[i] = TestPki.signer(ca, dir.resolve("signer" + i), nodes[i]);
        }
        return out;
    }

    private static Version at(long millis, String node) {
        return new Version(HybridClock.fromMillis(millis), node);
    }

    /** {@code objects} objects of n1, each with a meta, dated a minute before {@link #NOW}. */
    private static StateIndex filled(int objects) {
        StateIndex index = new StateIndex();
        for (int i = 0; i < objects; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + i);
            index.update(new ObjectEntry(key, null, Json.object().put("i", i), at(NOW - 60_000 + i, "n1"), false));
            index.update(new MetaEntry(key, "n1", Json.object().put("state", "up"), at(NOW - 60_000 + i, "n1")));
        }
        return index;
    }

    private static AntiEntropy node(StateIndex index, int maxBytes) {
        return new AntiEntropy(index, new Random(1), maxBytes, HORIZON, () -> NOW);
    }

    /** The puller's side of one exchange, as ClusterSync does it. */
    private static final class Puller {
        final StateIndex index;
        final AntiEntropy anti;
        int entriesReceived;
        int bodiesReceived;
        int pulls;

        Puller(int maxBytes) {
            this(new StateIndex(), maxBytes);
        }

        Puller(StateIndex index, int maxBytes) {
            this.index = index;
            anti = node(index, maxBytes);
        }

        /** Pulls {@code holder} once; bodies whose running number {@code lost} accepts never arrive. Returns pullAgain. */
        boolean pull(String name, AntiEntropy holder, NodeSigner signer, IntPredicate lost) {
            pulls++;
            AntiEntropy.Answer answer = holder.answer(anti.pullBody(name), 1300, signer::seal);
            assertThat(answer.bodies()).as("an answer always has a body").isNotEmpty();
            assertThat(answer.bodies()).allMatch(b -> b.length <= 1300);
            boolean again = false;
            for (byte[] body : answer.bodies()) {
                if (lost.test(bodiesReceived++)) {
                    continue;
                }
                AntiEntropy.Received r = anti.received(name, body);
                r.entries().forEach(s -> index.update(s.entry()));
                entriesReceived += r.entries().size();
                again |= r.pullAgain();
            }
            return again;
        }
    }

    /** A holder of 1,000 objects of n1 (2,000 entries) and an empty joiner that pulls from it; answers of 20 kB at most. */
    private record Exchange(StateIndex full, AntiEntropy holder, Puller joiner) {
        Exchange() {
            this(filled(1000));
        }

        private Exchange(StateIndex full) {
            this(full, node(full, 20_000), new Puller(20_000));
        }

        /** One pull of the holder, sealed by {@code signer}; bodies whose running number {@code lost} accepts never arrive. */
        boolean pull(NodeSigner signer, IntPredicate lost) {
            return joiner.pull("n1", holder, signer, lost);
        }
    }

    @Test
    void anEmptyNodeReceivesEveryEntryOnceInBoundedAnswersAndEndsOnTheHoldersDigest() {
        Exchange x = new Exchange();
        Puller joiner = x.joiner();
        boolean again = true;
        while (again) {
            again = x.pull(n1, i -> false);
            assertThat(joiner.pulls).as("pulls to converge").isLessThan(100);
        }
        assertThat(joiner.index.root()).isEqualTo(x.full().root());
        assertThat(joiner.index.size()).isEqualTo(2000);
        assertThat(joiner.entriesReceived).as("entries received: each exactly once").isEqualTo(2000);
        assertThat(joiner.anti.cursor().passDone()).isTrue();
        assertThat(x.pull(n1, i -> false)).isFalse();
        assertThat(joiner.entriesReceived).as("nothing sent once equal").isEqualTo(2000);
    }

    @Test
    void lostBodiesAreAskedForAgainAndNothingThatArrivedIsResent() {
        Exchange x = new Exchange();
        Puller joiner = x.joiner();
        int lostBodies = 0;
        while (joiner.index.root() != x.full().root()) {
            int before = joiner.bodiesReceived;
            x.pull(n1, i -> i % 7 == 3);
            for (int i = before; i < joiner.bodiesReceived; i++) {
                lostBodies += i % 7 == 3 ? 1 : 0;
            }
            assertThat(joiner.pulls).as("pulls to converge").isLessThan(200);
        }
        assertThat(lostBodies).as("bodies lost on the way").isGreaterThan(10);
        assertThat(joiner.entriesReceived).as("each entry arrived once: lost ones were asked for again, the rest not resent").isEqualTo(2000);
    }

    @Test
    void aHolderThatChangesDuringTheStreamStillLeavesTheJoinerOnItsDigest() {
        Exchange x = new Exchange();
        StateIndex full = x.full();
        Puller joiner = x.joiner();
        for (int round = 0; joiner.index.root() != full.root(); round++) {
            if (round < 5) { // behind and ahead of the cursor: new objects, rewritten ones, deletions
                for (int k = 0; k < 40; k++) {
                    int i = round * 200 + k;
                    ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + i);
                    full.update(new ObjectEntry(key, null, Json.object().put("v", round), at(NOW - 10_000 + round, "n1"), k % 10 == 0));
                    full.update(new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "new" + i), null, Json.object(), at(NOW - 10_000, "n1"), false));
                }
            }
            x.pull(n1, i -> false);
            assertThat(round).as("rounds to converge").isLessThan(200);
        }
        assertThat(joiner.index.size()).isEqualTo(full.size());
    }

    @Test
    void theStreamGoesOnFromAnotherHolderWithoutStartingOver() {
        NodeSigner[] holders = signers("n1", "n1");
        NodeSigner a = holders[0];
        NodeSigner b = holders[1];
        StateIndex stateA = filled(1000);
        StateIndex stateB = filled(1000);
        AntiEntropy holderA = node(stateA, 20_000);
        AntiEntropy holderB = node(stateB, 20_000);
        Puller joiner = new Puller(20_000);
        for (int round = 0; joiner.index.root() != stateA.root(); round++) {
            if (round % 2 == 0) {
                joiner.pull("a", holderA, a, i -> false);
            } else {
                joiner.pull("b", holderB, b, i -> false);
            }
            assertThat(round).isLessThan(100);
        }
        assertThat(joiner.entriesReceived).as("the two holders together sent each entry once").isEqualTo(2000);
    }

    @Test
    void entriesStillInFlightDoNotMakeABucketDifferButAnOldLossDoes() {
        StateIndex holderState = filled(500);
        StateIndex pullerState = filled(500);
        AntiEntropy holder = node(holderState, 200_000);
        AntiEntropy puller = node(pullerState, 200_000);
        // 300 entries written just now on the holder: their deltas are on their way to the puller
        for (int i = 0; i < 300; i++) {
            holderState.update(new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "s" + i), null, Json.object().put("new", i), at(NOW - 100, "n1"), false));
            holderState.update(new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "fresh" + i), null, Json.object(), at(NOW - 50, "n1"), false));
        }
        assertThat(holderState.root()).isNotEqualTo(pullerState.root());
        AntiEntropy.Answer answer = holder.answer(puller.pullBody("h"), 1300, n1::seal);
        assertThat(answer.entries()).as("entries sent for differences that are only in flight").isZero();
        assertThat(answer.bodies()).hasSize(1);

        // one entry lost two seconds ago: its bucket is sent, and nothing of the others
        ObjectEntry lost = new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "lost"), null, Json.object(), at(NOW - 2_000, "n1"), false);
        holderState.update(lost);
        answer = holder.answer(puller.pullBody("h"), 1300, n1::seal);
        List<Entry> sent = new ArrayList<>();
        answer.bodies().forEach(body -> puller.received("h", body).entries().forEach(s -> sent.add(s.entry())));
        assertThat(sent).contains(lost);
        assertThat(sent.size()).as("entries sent: about one bucket's").isLessThan(2 * 1300 / 256 + 10);
        sent.forEach(pullerState::update);
        assertThat(pullerState.settledBuckets(NOW - HORIZON)).isEqualTo(holderState.settledBuckets(NOW - HORIZON));
    }

    /**
     * Regression (RejoinEmptyDiskIT): a node back on an empty disk refuses every entry sealed under
     * a certificate it has not learned, its own old one included, so the certificate metas of the
     * differing buckets lead the first answer of a pass, and the next answer after a refusal.
     */
    @Test
    void theCertificateMetasLeadAPassAndTheAnswerAfterARefusal() {
        NodeSigner[] writers = signers("n1", "n2");
        NodeSigner s1 = writers[0];
        NodeSigner s2 = writers[1];
        StateIndex full = filled(600);
        MetaEntry cert1 = new MetaEntry(CertificateMeta.key("n1", s1.keyId()), "n1", CertificateMeta.values(s1.certificate()), at(NOW - 90_000, "n1"));
        MetaEntry cert2 = new MetaEntry(CertificateMeta.key("n2", s2.keyId()), "n2", CertificateMeta.values(s2.certificate()), at(NOW - 90_000, "n2"));
        full.update(cert1);
        full.update(cert2);
        AntiEntropy holder = node(full, 3_000);
        AntiEntropy joiner = node(new StateIndex(), 3_000);
        java.util.function.Function<List<Entry>, List<SealedEntry>> seal = entries -> {
            List<SealedEntry> sealed = new ArrayList<>();
            entries.forEach(e -> sealed.addAll((e.node().equals("n2") ? s2 : s1).seal(List.of(e))));
            return sealed;
        };
        for (int round = 0; round < 4; round++) {
            if (round == 2) {
                joiner.lackedCertificate();
            }
            AntiEntropy.Answer answer = holder.answer(joiner.pullBody("h"), 1300, seal);
            List<Entry> sent = answer.bodies().stream().flatMap(b -> joiner.received("h", b).entries().stream()).map(SealedEntry::entry).toList();
            assertThat(sent.size()).as("entries in answer %d: a few of more than a thousand", round).isLessThan(40);
            if (round == 0 || round == 2) {
                assertThat(sent.subList(0, 2)).as("answer %d", round).containsExactlyInAnyOrder(cert1, cert2);
            } else {
                // no certificates led as extras: the answer is the walk alone, in stream order (a
                // certificate may still come where its position falls; its key id, so its position, is random)
                assertThat(sent).as("answer %d", round)
                        .isSortedAccordingTo((x, y) -> Long.compareUnsigned(StateIndex.position(x), StateIndex.position(y)));
            }
        }
    }

    /** {@code objects} objects written by {@code node}, named after it, dated a minute before {@link #NOW}. */
    private static void write(StateIndex index, String node, int objects) {
        for (int i = 0; i < objects; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, node + "-" + i);
            index.update(new ObjectEntry(key, null, Json.object().put("i", i).put("name", "object number " + i), at(NOW - 60_000 + i, node), false));
        }
    }

    /**
     * A joiner far behind two holders pulls each for the entries it wrote, both at once: every
     * entry arrives once, in a few large trees (one signature per answer, not per entry), and the
     * bytes are close to the entries' own, though bodies were lost on the way.
     */
    @Test
    void ownStreamsBringEachWritersEntriesOnceInLargeTreesNearTheirOwnSize() {
        NodeSigner[] writers = signers("a", "b");
        NodeSigner a = writers[0];
        NodeSigner b = writers[1];
        StateIndex stateA = new StateIndex();
        StateIndex stateB = new StateIndex();
        for (StateIndex s : List.of(stateA, stateB)) {
            write(s, "a", 3000);
            write(s, "b", 3000);
        }
        long encodings = 0;
        for (Entry e : stateA.next(StateIndex.START, StateIndex.END, allBuckets(), Integer.MAX_VALUE)) {
            encodings += io.acp.cluster.sync.wire.EntryCodec.encode(e).length;
        }
        java.util.Map<String, AntiEntropy> holders = java.util.Map.of("a", node(stateA, 60_000), "b", node(stateB, 60_000));
        java.util.Map<String, NodeSigner> signers = java.util.Map.of("a", a, "b", b);
        StateIndex joined = new StateIndex();
        AntiEntropy joiner = node(joined, 60_000);
        for (String peer : List.of("a", "b")) {
            joiner.heardHeartbeat(peer, AntiEntropy.heartbeatBody(stateA.root(), stateA.size()));
            joiner.considerOwnStream(peer);
            assertThat(joiner.ownStreamRunning(peer)).as("own stream from %s", peer).isTrue();
        }
        java.util.Set<String> authors = new java.util.HashSet<>();
        java.util.Set<ByteBuffer> signatures = new java.util.HashSet<>();
        int received = 0;
        long bytes = 0;
        int sent = 0;
        for (int round = 0; joiner.ownStreamRunning("a") || joiner.ownStreamRunning("b"); round++) {
            assertThat(round).as("rounds of own streams").isLessThan(50);
            for (String peer : joiner.peersToPull(p -> true)) {
                AntiEntropy.Answer answer = holders.get(peer).answer(joiner.pullBody(peer), 1300, entries -> List.of(),
                        e -> e.version().node().equals(peer), signers.get(peer)::sealEncoded);
                assertThat(answer.own()).isTrue();
                for (byte[] body : answer.bodies()) {
                    assertThat(body.length).isLessThanOrEqualTo(1300 * AntiEntropy.OWN_BODY_DATAGRAMS);
                    if (sent++ % 5 == 2) {
                        continue; // lost on the way
                    }
                    bytes += body.length;
                    for (SealedEntry s : joiner.received(peer, body).entries()) {
                        assertThat(s.seal().author()).as("an own stream carries its sender's entries only").isEqualTo(peer).isEqualTo(s.entry().version().node());
                        joined.update(s.entry());
                        signatures.add(ByteBuffer.wrap(s.seal().signature()));
                        received++;
                    }
                }
            }
            joiner.heardHeartbeat("a", AntiEntropy.heartbeatBody(stateA.root(), stateA.size())); // the round's wait for lost bodies is over
            timePasses(joiner);
        }
        assertThat(joined.root()).isEqualTo(stateA.root());
        assertThat(received).as("each entry received once").isEqualTo(6000);
        assertThat(signatures.size()).as("trees (signatures) for 6,000 entries").isLessThan(30);
        assertThat(bytes).as("bytes received beside the encodings' %d", encodings).isLessThan(encodings * 13 / 10);
        assertThat(joiner.peersToPull(p -> true)).as("the streams over, the digests equal: nobody to pull").isEmpty();
    }

    private static boolean[] allBuckets() {
        boolean[] all = new boolean[StateIndex.BUCKETS];
        java.util.Arrays.fill(all, true);
        return all;
    }

    /** Forgets the answers the joiner waits for, as a silent heartbeat interval would. */
    private static void timePasses(AntiEntropy joiner) {
        joiner.forgetAwaited();
    }

    @Test
    void anOwnStreamPullFromAnotherWriterIsAnsweredWithTheAnswerersEntriesOnly() {
        NodeSigner a = signers("a")[0];
        StateIndex state = new StateIndex();
        write(state, "a", 600);
        write(state, "b", 600);
        AntiEntropy joiner = node(new StateIndex(), 60_000);
        joiner.heardHeartbeat("a", AntiEntropy.heartbeatBody(state.root(), state.size()));
        joiner.considerOwnStream("a");
        AntiEntropy.Answer answer = node(state, 60_000).answer(joiner.pullBody("a"), 1300, entries -> List.of(),
                e -> e.version().node().equals("a"), a::sealEncoded);
        List<Entry> sent = answer.bodies().stream().flatMap(body -> joiner.received("a", body).entries().stream()).map(SealedEntry::entry).toList();
        assertThat(sent).hasSize(600).allMatch(e -> e.version().node().equals("a"));
        assertThat(joiner.ownStreamRunning("a")).as("the stream from a is over").isFalse();
        joiner.heardHeartbeat("a", AntiEntropy.heartbeatBody(state.root(), state.size()));
        joiner.considerOwnStream("a");
        assertThat(joiner.ownStreamRunning("a")).as("one own stream per writer while far behind").isFalse();
        AntiEntropy close = node(filled(10), 60_000);
        close.heardHeartbeat("a", AntiEntropy.heartbeatBody(state.root(), 1000));
        close.considerOwnStream("a");
        assertThat(close.ownStreamRunning("a")).as("too few entries lacking to stream them apart").isFalse();
    }

    @Test
    void theStreamOfAPeerNotAliveWaitsWithItsCursorWhileTheOrdinaryPassRuns() {
        NodeSigner a = signers("a")[0];
        StateIndex state = new StateIndex();
        write(state, "a", 1200);
        AntiEntropy holder = node(state, 20_000);
        StateIndex joined = new StateIndex();
        AntiEntropy joiner = node(joined, 20_000);
        joiner.heardHeartbeat("a", AntiEntropy.heartbeatBody(state.root(), state.size()));
        joiner.heardHeartbeat("b", AntiEntropy.heartbeatBody(state.root(), state.size()));
        joiner.considerOwnStream("a");
        int received = ownPull(joiner, joined, holder, a);
        assertThat(received).as("a first part of the stream").isBetween(1, 1199);

        assertThat(joiner.peersToPull(p -> !p.equals("a"))).as("a suspected: the ordinary pass pulls b").containsExactly("b");
        assertThat(joiner.ownStreamRunning("a")).as("the stream waits for a").isTrue();
        joiner.forgetAwaited();
        assertThat(joiner.peersToPull(p -> true)).as("a alive again: its stream goes on").containsExactly("a");
        while (joiner.ownStreamRunning("a")) {
            received += ownPull(joiner, joined, holder, a);
            assertThat(received).isLessThanOrEqualTo(1200);
        }
        assertThat(received).as("where it stopped, nothing twice").isEqualTo(1200);
        assertThat(joined.root()).isEqualTo(state.root());
    }

    /** One own-stream pull of {@code joiner} from holder "a", every body arriving; returns the entries taken. */
    private static int ownPull(AntiEntropy joiner, StateIndex joined, AntiEntropy holder, NodeSigner a) {
        int received = 0;
        for (byte[] body : holder.answer(joiner.pullBody("a"), 1300, entries -> List.of(), e -> true, a::sealEncoded).bodies()) {
            for (SealedEntry s : joiner.received("a", body).entries()) {
                joined.update(s.entry());
                received++;
            }
        }
        return received;
    }

    @Test
    void aFarBehindPeerIsNotPulledFrom() {
        StateIndex mine = filled(100);
        AntiEntropy anti = node(mine, 20_000);
        anti.heardHeartbeat("joiner", AntiEntropy.heartbeatBody(1, 20));
        anti.heardHeartbeat("close", AntiEntropy.heartbeatBody(2, 190));
        assertThat(anti.farBehind("joiner")).isTrue();
        assertThat(anti.farBehind("close")).isFalse();
        assertThat(anti.choosePeer(p -> true)).contains("close");
    }

    /** The same {@code objects} objects on two indexes, then {@code changes} of them rewritten on the first, settled (two seconds ago). */
    private static StateIndex[] apartBy(int objects, int changes) {
        StateIndex holder = filled(objects);
        StateIndex puller = filled(objects);
        for (int c = 0; c < changes; c++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + (c * 7919 % objects));
            holder.update(new ObjectEntry(key, null, Json.object().put("changed", c), at(NOW - 2_000, "n1"), false));
        }
        return new StateIndex[] {holder, puller};
    }

    /**
     * A puller holding many entries (6,000 here, above {@link AntiEntropy#LEAVES_MIN_ENTRIES}) that
     * lacks 60 changes spread over most buckets: its first pull only asks which buckets differ, the
     * next ones carry those buckets' leaf hashes, and the answers send the entries of the differing
     * leaves, not of the whole buckets (about 23 entries per bucket here, so more than a thousand).
     */
    @Test
    void aPullerWithManyEntriesIsSentTheLeavesThatDifferNotWholeBuckets() {
        StateIndex[] apart = apartBy(3000, 60);
        AntiEntropy holder = node(apart[0], 200_000);
        Puller puller = new Puller(apart[1], 200_000);
        assertThat(puller.index.size()).isGreaterThanOrEqualTo(AntiEntropy.LEAVES_MIN_ENTRIES);
        assertThat(puller.pull("h", holder, n1, i -> false)).as("a probe whose answer shows differing buckets: pull again at once").isTrue();
        assertThat(puller.entriesReceived).as("entries sent for a probe").isZero();
        while (puller.pull("h", holder, n1, i -> false)) {
            assertThat(puller.pulls).as("pulls to cover the differing buckets").isLessThan(40);
        }
        assertThat(puller.index.root()).isEqualTo(apart[0].root());
        assertThat(puller.entriesReceived).as("entries sent: the 60 changed and the few sharing their leaves").isBetween(60, 90);
        assertThat(puller.pulls).as("pulls: a probe, then up to 8 buckets' leaves each").isLessThanOrEqualTo(1 + (256 + 7) / 8);
        assertThat(puller.pull("h", holder, n1, i -> false)).as("equal now: nothing to pull again for").isFalse();
    }

    /**
     * Twelve changed objects in one leaf and answers of a few entries: an answer stops inside the
     * leaf, and the next pull's range starts there. The answer walks on from that position to the
     * leaf's end; one that skipped a leaf its range starts inside would stop at the same place in
     * every pass, and the two would never agree.
     */
    @Test
    void anAnswerCutInsideALeafGoesOnFromWhereItStopped() {
        StateIndex[] apart = apartBy(3000, 0);
        List<ObjectKey> oneLeaf = new ArrayList<>();
        int leaf = -1;
        for (int i = 0; oneLeaf.size() < 12; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "x" + i);
            int l = StateIndex.leaf(new ObjectEntry(key, null, Json.object(), at(NOW - 60_000, "n1"), false));
            if (leaf < 0) {
                leaf = l;
            }
            if (l == leaf) {
                oneLeaf.add(key);
            }
        }
        for (ObjectKey key : oneLeaf) {
            for (StateIndex index : apart) {
                index.update(new ObjectEntry(key, null, Json.object().put("base", true), at(NOW - 60_000, "n1"), false));
            }
            apart[0].update(new ObjectEntry(key, null, Json.object().put("changed", true), at(NOW - 2_000, "n1"), false));
        }
        AntiEntropy holder = node(apart[0], 700);
        Puller puller = new Puller(apart[1], 700);
        while (puller.index.root() != apart[0].root() && puller.pulls < 200) {
            puller.pull("h", holder, n1, i -> false);
        }
        assertThat(puller.index.root()).as("equal, answers of a few entries each").isEqualTo(apart[0].root());
        assertThat(puller.pulls).as("pulls: a probe, then the leaf a few entries at a time").isGreaterThan(4);
        assertThat(puller.entriesReceived).as("entries sent: the 12 changed, each once").isEqualTo(12);
    }

    /**
     * The mask a pull goes by is the last answer's: buckets that differ since are not listed. The
     * answer then stops before the first of them and says there is more, so the puller pulls again
     * at once with the new mask: one pass still leaves the two equal, nothing skipped to a later round.
     */
    @Test
    void bucketsThatDifferSinceTheLastMaskAreListedInTheSamePass() {
        StateIndex[] apart = apartBy(3000, 6);
        AntiEntropy holder = node(apart[0], 200_000);
        Puller puller = new Puller(apart[1], 200_000);
        assertThat(puller.pull("h", holder, n1, i -> false)).as("the probe").isTrue();
        for (int c = 0; c < 60; c++) { // differences the mask does not know of
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + (c * 4001 % 3000));
            apart[0].update(new ObjectEntry(key, null, Json.object().put("later", c), at(NOW - 1_500, "n1"), false));
        }
        while (puller.pull("h", holder, n1, i -> false)) {
            assertThat(puller.pulls).as("pulls in the pass").isLessThan(60);
        }
        assertThat(puller.index.root()).as("equal after one pass").isEqualTo(apart[0].root());
        assertThat(puller.entriesReceived).as("entries sent: the 66 changed and the few sharing their leaves").isBetween(66, 100);
    }

    /** The same puller against a holder of the version before leaves (it ignores the mask flag): bucket by bucket, as then. */
    @Test
    void aPeerThatAnswersWithoutAMaskIsPulledBucketByBucket() {
        StateIndex[] apart = apartBy(3000, 60);
        AntiEntropy holder = node(apart[0], 400_000);
        AntiEntropy puller = node(apart[1], 400_000);
        int received = 0;
        for (int pulls = 0; apart[1].root() != apart[0].root(); pulls++) {
            assertThat(pulls).isLessThan(5);
            byte[] pull = puller.pullBody("old");
            int flagsAt = StateIndex.BUCKETS * 8 + 8 + 4;
            assertThat(pull.length).as("no leaves sent to a peer not known to answer with a mask")
                    .isEqualTo(StateIndex.BUCKETS * 8 + 8 + 4 + 1 + 1 + 16 * (pull[flagsAt + 1] & 0xFF));
            pull[flagsAt] &= ~4; // what the older version reads of it
            for (byte[] body : holder.answer(pull, 1300, n1::seal).bodies()) {
                AntiEntropy.Received r = puller.received("old", body);
                r.entries().forEach(e -> apart[1].update(e.entry()));
                received += r.entries().size();
            }
        }
        assertThat(received).as("whole differing buckets, as before").isGreaterThan(600);
    }

    @Test
    void aPullWhoseLeafSectionIsShortIsRejected() {
        StateIndex[] apart = apartBy(3000, 60);
        AntiEntropy holder = node(apart[0], 200_000);
        Puller puller = new Puller(apart[1], 200_000);
        puller.pull("h", holder, n1, i -> false); // the probe: the mask is known after it
        byte[] pull = puller.anti.pullBody("h");
        assertThat(pull.length).as("a pull with leaves").isGreaterThan(StateIndex.BUCKETS * 8 + 8 + 4 + 2 + 16 * 16);
        assertThatThrownBy(() -> holder.answer(java.util.Arrays.copyOf(pull, pull.length - 8), 1300, n1::seal))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaves");
        assertThatThrownBy(() -> holder.answer(java.util.Arrays.copyOf(pull, pull.length + 1), 1300, n1::seal))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after its last part");
    }

    @Test
    void aMalformedPullIsRejected() {
        AntiEntropy holder = node(filled(1), 20_000);
        assertThatThrownBy(() -> holder.answer(new byte[100], 1300, entries -> List.of())).isInstanceOf(IllegalArgumentException.class);
        byte[] pull = node(new StateIndex(), 20_000).pullBody("h");
        pull[pull.length - 17] = 2; // claims two ranges, carries one
        assertThatThrownBy(() -> holder.answer(pull, 1300, entries -> List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
