package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Repairs what deltas lost, and brings a node far behind (new, or back on an empty disk) the whole
 * state. Every heartbeat carries the sender's digest root and entry count; a node whose root
 * differs from a live peer's, and which that peer does not hold far less than, sends it (unicast) a
 * PULL: its {@value StateIndex#BUCKETS} bucket hashes <em>settled</em> at a cutoff (without the
 * changes by entries dated after it, which are probably still in flight as deltas), the cutoff, and
 * the ranges of its {@link StreamCursor} (what it has not been answered for yet in the current pass).
 * The peer answers with ENTRIES: its entries of every bucket whose settled hash differs, walked in
 * position order ({@link StateIndex#next}) from the first wanted range, at most {@code maxBytes} per
 * answer; each body says the range of positions it covers, so the puller's next pull goes on where
 * this one stopped and asks again only for what was lost. A puller that has received a whole answer
 * and was told there is more pulls again at once.
 *
 * <p>A puller holding many entries ({@value #LEAVES_MIN_ENTRIES} or more) also sends the leaf hashes
 * of the buckets the peer's last answer said differ (each answer's first body carries that mask),
 * and is sent only the entries of the differing leaves: a repair then costs what differs, not a
 * 256th of the state per differing bucket. See docs/protocol.md, "Anti-entropy".
 */
final class AntiEntropy {

    /** Most wanted ranges one pull carries (holes left by lost bodies, then the rest of the pass). */
    static final int MAX_RANGES = 16;
    /** Entries sealed per step while an answer is built: a batch of own entries costs one signature. */
    static final int CHUNK = 128;
    /**
     * Entries a puller holds from which its pulls compare leaves, not only buckets: below, a
     * differing bucket holds a few dozen entries at most, which cost less to send than its
     * {@value StateIndex#LEAVES_PER_BUCKET} leaf hashes.
     */
    static final int LEAVES_MIN_ENTRIES = 16 * StateIndex.BUCKETS;
    /** Buckets whose leaf hashes one pull carries at most (2 kB each). */
    static final int LEAF_BUCKETS_PER_PULL = 8;
    /** A peer announcing fewer entries than this many eighths of ours is far behind: it is not pulled from. */
    static final int FAR_BEHIND_EIGHTHS = 7;
    /** Entries fewer than a peer's from which an own stream is worth its signatures; below, relayed seals cost little in all. */
    static final int OWN_STREAM_MIN_LACK = 1024;

    /** PULL body after the bucket hashes: cutoff (8), pull id (4), flags (1), range count (1). */
    private static final int PULL_FIXED = StateIndex.BUCKETS * 8 + 8 + 4 + 1 + 1;
    private static final int PULL_CERTIFICATES = 1;
    /** PULL flag: answer with your own entries only, sealed afresh as one tree per answer (an own stream). */
    private static final int PULL_OWN = 2;
    /** PULL flag: say in the answer which buckets differ (the first body carries the mask). */
    private static final int PULL_MASK = 4;
    /**
     * PULL flag: after the ranges, leaf hashes of some buckets follow; compare those buckets leaf by
     * leaf and send only the entries of differing leaves, and send nothing of any other bucket (the
     * mask tells the puller which of them differ).
     */
    private static final int PULL_LEAVES = 8;
    /** One bucket's part of a PULL's leaf section: its index (1) and its leaf hashes. */
    private static final int LEAF_SECTION_BUCKET = 1 + StateIndex.LEAVES_PER_BUCKET * 8;
    /** The mask of differing buckets in an answer's first body: one bit per bucket. */
    static final int MASK_BYTES = StateIndex.BUCKETS / 8;
    /** ENTRIES body header: pull id (4), body index (2), bodies (2), flags (1), from (8), next (8). */
    static final int ANSWER_HEADER = 4 + 2 + 2 + 1 + 8 + 8;
    private static final int ANSWER_MORE = 1;
    /** ENTRIES flag: the body answers an own-stream pull, so it moves that stream's cursor. */
    static final int ANSWER_OWN = 2;
    /** ENTRIES flag: the groups are preceded by the mask of buckets that differ ({@value #MASK_BYTES} bytes). */
    static final int ANSWER_MASK = 4;
    /**
     * Datagrams one body of an own stream spans at most: the body's entries share one group (one
     * signature, one multiproof of a few hashes), so a larger body costs fewer bytes per entry; a
     * lost datagram loses its body, whose range the next pull asks for again.
     */
    static final int OWN_BODY_DATAGRAMS = 8;
    /** What a body of an own stream reserves for its group's header and multiproof (at most two hashes per tree level). */
    private static final int OWN_GROUP_RESERVE = 1 + 255 + 8 + 1 + 64 + 2 + 2 + 2 * 16 * 16;
    /**
     * Bytes of a sealed group of one entry besides the author's name, its encoding and its path
     * (SealedCodec's layout: author length, key id, height, signature, count, leaf, hash count):
     * an upper bound of what the entry adds to a body, as sharing a group only saves.
     */
    private static final int GROUP_OVERHEAD = 1 + 8 + 1 + 64 + 2 + 2 + 2;
    private static final int PATH_HASH = 16;

    /** The bodies answering a pull, how many entries they hold, and whether it answered an own-stream pull (no pull-back then). */
    record Answer(List<byte[]> bodies, int entries, boolean own) {
    }

    /** Seals entries of this node, given with their encodings, as one tree (one signature). */
    interface OwnSealer {
        List<SealedEntry> seal(List<Entry> entries, List<byte[]> encoded);
    }

    /** An answer body received: its entries, and whether to pull the same peer again at once. */
    record Received(List<SealedEntry> entries, boolean pullAgain) {
    }

    /** Whether a pull asked for its ranges, or only for the mask (a probe). */
    private enum PullKind { PLAIN, PROBE }

    /** Per peer pulled: the id of the last pull, how many bodies of its answer arrived, and when the last did (or the pull went). */
    private static final class Awaited {
        final int id;
        final PullKind kind;
        long heardAtMillis;
        int bodies;

        Awaited(int id, PullKind kind, long pulledAtMillis) {
            this.id = id;
            this.kind = kind;
            this.heardAtMillis = pulledAtMillis;
        }
    }

    /** The buckets a pull sends leaves of, the ranges it asks for, and what kind of pull that makes. */
    private record LeafPlan(int[] buckets, List<long[]> ranges, PullKind kind) {
    }

    /** A pull's leaf section compared with this node's leaves: which buckets it listed, and which of their leaves differ. */
    private record LeafComparison(boolean[] listed, boolean[] leafDiffers) {

        /**
         * The parts of {@code ranges} that lie in differing leaves of the {@code walked} buckets,
         * in order, neighbouring leaves joined (a leaf's positions are contiguous: its top 16 bits).
         */
        List<long[]> rangesWithin(List<long[]> ranges, boolean[] walked) {
            List<long[]> out = new ArrayList<>();
            for (long[] r : ranges) {
                for (int bucket : bucketsIn(r)) {
                    if (!walked[bucket]) {
                        continue;
                    }
                    for (int l = bucket * StateIndex.LEAVES_PER_BUCKET; l < (bucket + 1) * StateIndex.LEAVES_PER_BUCKET; l++) {
                        if (!leafDiffers[l]) {
                            continue;
                        }
                        long leafStart = (long) l << 48;
                        long leafEnd = l == StateIndex.BUCKETS * StateIndex.LEAVES_PER_BUCKET - 1 ? StateIndex.END : (long) (l + 1) << 48;
                        long from = Long.compareUnsigned(leafStart, r[0]) > 0 ? leafStart : r[0];
                        long to = Long.compareUnsigned(leafEnd, r[1]) < 0 ? leafEnd : r[1];
                        if (Long.compareUnsigned(from, to) >= 0) {
                            continue;
                        }
                        long[] previous = out.isEmpty() ? null : out.get(out.size() - 1);
                        if (previous != null && previous[1] == from) {
                            previous[1] = to;
                        } else {
                            out.add(new long[] {from, to});
                        }
                    }
                }
            }
            return out;
        }
    }

    private final StateIndex index;
    private final Random random;
    private final int maxBytes;
    private final long horizonMillis;
    private final LongSupplier wallMillis;
    private final Map<String, Long> peerRoots = new ConcurrentHashMap<>();
    private final Map<String, Integer> peerSizes = new ConcurrentHashMap<>();
    private final StreamCursor cursor = new StreamCursor(); // sync thread only
    /**
     * Own streams this node runs as a puller far behind: per peer, the cursor of a pass over that
     * peer's own entries, which it seals afresh in large trees (see {@link #heardHeartbeat}). A
     * relayed entry carries its author's seal for a tree of thousands of entries, written in another
     * order: a group of one with a path of a dozen hashes, several times the entry's size.
     */
    private final Map<String, StreamCursor> ownStreams = new HashMap<>(); // sync thread only
    private final java.util.Set<String> ownStreamsDone = new java.util.HashSet<>(); // sync thread only
    private final Map<String, Awaited> awaited = new HashMap<>(); // sync thread only
    /** Per peer: the buckets its last answer said differ (null bit by bit: none known yet). Sync thread only. */
    private final Map<String, boolean[]> masks = new HashMap<>();
    /** Peers that answered a probe without a mask (an older version): pulled as before, bucket by bucket. Sync thread only. */
    private final java.util.Set<String> noMask = new java.util.HashSet<>();
    private boolean lackedCertificate; // sync thread only
    private int pullId; // sync thread only

    /**
     * @param horizonMillis how far back from the puller's clock entries count as settled: those
     *                      written since are left out of the comparison, as deltas are bringing them
     */
    AntiEntropy(StateIndex index, Random random, int maxBytes, long horizonMillis, LongSupplier wallMillis) {
        this.index = index;
        this.random = random;
        this.maxBytes = maxBytes;
        this.horizonMillis = horizonMillis;
        this.wallMillis = wallMillis;
    }

    static byte[] heartbeatBody(long root, int size) {
        return ByteBuffer.allocate(12).putLong(root).putInt(size).array();
    }

    /** Records the digest root and entry count in a peer's heartbeat; true if the root equals this node's. */
    boolean heardHeartbeat(String peer, byte[] body) {
        if (body.length < 12) {
            throw new IllegalArgumentException("heartbeat of " + peer + " has " + body.length + " bytes, needs 12");
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        long root = b.getLong();
        int size = b.getInt();
        peerRoots.put(peer, root);
        peerSizes.put(peer, size);
        return root == index.root();
    }

    /**
     * Starts an own stream from {@code peer} if this node holds far fewer entries than it announced
     * (less than 7/8, and {@value #OWN_STREAM_MIN_LACK} or more fewer) and has not run one from it
     * since it was last close to it: this node then pulls each such peer for the entries that peer
     * wrote, all of them in parallel, before it pulls anyone for the rest (entries of authors no
     * longer live). Sync thread only.
     */
    void considerOwnStream(String peer) {
        Integer theirs = peerSizes.get(peer);
        if (theirs == null) {
            return;
        }
        long mine = index.size();
        if (mine * 8 >= (long) theirs * FAR_BEHIND_EIGHTHS || theirs - mine < OWN_STREAM_MIN_LACK) {
            ownStreamsDone.remove(peer); // close again: a later fall behind may stream anew
        } else if (!ownStreams.containsKey(peer) && ownStreamsDone.add(peer)) {
            ownStreams.put(peer, new StreamCursor());
        }
    }

    /**
     * The peers to pull now: while own streams from live peers run, each of those peers whose
     * answer is not arriving; then the peer {@link #choosePeer} gives, unless an answer is still
     * arriving. The stream of a peer not alive (suspected, as a busy one may be for a while, or
     * dead) waits with its cursor: a peer alive again goes on where it stopped, and while no
     * streaming peer is alive the ordinary pass runs (what a dead writer wrote comes relayed).
     */
    List<String> peersToPull(Predicate<String> alive) {
        boolean streaming = false;
        List<String> out = new ArrayList<>();
        for (String peer : ownStreams.keySet()) {
            if (alive.test(peer)) {
                streaming = true;
                if (!awaitingAnswer(peer)) {
                    out.add(peer);
                }
            }
        }
        if (streaming) {
            Collections.sort(out);
            return out;
        }
        if (awaitingAnswer()) {
            return List.of();
        }
        return choosePeer(alive).map(List::of).orElse(List.of());
    }

    /** Whether an own stream from {@code peer} is running (or waits for the peer to be alive again), for tests. */
    boolean ownStreamRunning(String peer) {
        return ownStreams.containsKey(peer);
    }

    /**
     * A live peer whose last announced root differs from ours and that is not far behind, chosen at
     * random, if any. A peer far behind (joining) holds little this node lacks, and a pull from it
     * would make it send back what this node has; what it writes meanwhile comes by delta, and once
     * it is close it is pulled from again.
     */
    Optional<String> choosePeer(Predicate<String> alive) {
        long mine = index.root();
        List<String> differing = new ArrayList<>();
        peerRoots.forEach((peer, root) -> {
            if (root != mine && alive.test(peer) && !farBehind(peer)) {
                differing.add(peer);
            }
        });
        if (differing.isEmpty()) {
            return Optional.empty();
        }
        Collections.sort(differing); // deterministic before the seeded choice
        return Optional.of(differing.get(random.nextInt(differing.size())));
    }

    /** Whether the peer announced far fewer entries than this node holds: then it is neither pulled from nor pulled back. */
    boolean farBehind(String peer) {
        Integer theirs = peerSizes.get(peer);
        return theirs != null && (long) theirs * 8 < (long) index.size() * FAR_BEHIND_EIGHTHS;
    }

    /** Whether {@code peer}'s last announced root is ours (false if it announced none). */
    boolean announcedOurRoot(String peer) {
        Long theirs = peerRoots.get(peer);
        return theirs != null && theirs == index.root();
    }

    /** Whether every known live peer announced our root (convergence, as far as this node can tell). */
    boolean agreesWith(Predicate<String> alive) {
        return peerRoots.keySet().stream().filter(alive).allMatch(this::announcedOurRoot);
    }

    /**
     * The PULL body for {@code peer}: the settled bucket hashes, the cutoff, an id the answer
     * echoes, whether the answer should lead with certificate metas (at the start of a pass, and
     * after an entry was refused for its author's unknown key), and the wanted ranges.
     */
    byte[] pullBody(String peer) {
        long cutoff = wallMillis.getAsLong() - horizonMillis;
        StreamCursor own = ownStreams.get(peer);
        StreamCursor c = own != null ? own : cursor;
        List<long[]> ranges = c.firstRanges(MAX_RANGES);
        LeafPlan plan = own == null && index.size() >= LEAVES_MIN_ENTRIES && !noMask.contains(peer)
                ? planLeaves(ranges, masks.get(peer))
                : null;
        // a probe has no leaf section: a peer of an older version takes it as an ordinary pull of nothing
        boolean withLeaves = plan != null && plan.buckets().length > 0;
        StateIndex.Settled settled = index.settled(cutoff, withLeaves ? plan.buckets() : new int[0]);
        long[] buckets = settled.buckets();
        long[][] leaves = settled.leaves();
        if (plan != null) {
            ranges = plan.ranges();
        }
        boolean probe = plan != null && plan.kind() == PullKind.PROBE;
        boolean certificates = !probe && (c.atPassStart() | lackedCertificate); // a probe asks for nothing: the pull after it leads with them
        if (!probe) {
            lackedCertificate = false;
        }
        int id = ++pullId;
        awaited.put(peer, new Awaited(id, plan == null ? PullKind.PLAIN : plan.kind(), wallMillis.getAsLong()));
        int flags = (certificates ? PULL_CERTIFICATES : 0) | (own != null ? PULL_OWN : PULL_MASK) | (withLeaves ? PULL_LEAVES : 0);
        ByteBuffer b = ByteBuffer.allocate(PULL_FIXED + ranges.size() * 16 + (withLeaves ? 1 + leaves.length * LEAF_SECTION_BUCKET : 0));
        for (long h : buckets) {
            b.putLong(h);
        }
        b.putLong(cutoff).putInt(id).put((byte) flags).put((byte) ranges.size());
        for (long[] r : ranges) {
            b.putLong(r[0]).putLong(r[1]);
        }
        if (withLeaves) {
            b.put((byte) leaves.length);
            for (int i = 0; i < leaves.length; i++) {
                b.put((byte) plan.buckets()[i]);
                for (long h : leaves[i]) {
                    b.putLong(h);
                }
            }
        }
        return b.array();
    }

    /**
     * Which buckets a pull compares leaf by leaf: the first {@value #LEAF_BUCKETS_PER_PULL} of the
     * wanted ranges that the peer's last answer said differ. The answer stops before the first
     * differing bucket not listed and says there is more, so the puller pulls again at once for
     * the next ones. With no differing bucket known in the ranges, the pull is a probe: it asks
     * for no range, only for the mask.
     */
    private static LeafPlan planLeaves(List<long[]> ranges, boolean[] mask) {
        List<Integer> listed = new ArrayList<>();
        if (mask != null) {
            for (long[] r : ranges.isEmpty() ? List.of(new long[] {StateIndex.START, StateIndex.END}) : ranges) {
                for (int bucket : bucketsIn(r)) {
                    if (mask[bucket] && !listed.contains(bucket) && listed.size() < LEAF_BUCKETS_PER_PULL) {
                        listed.add(bucket);
                    }
                }
            }
        }
        if (listed.isEmpty()) {
            return new LeafPlan(new int[0], List.of(new long[] {StateIndex.START, StateIndex.START}), PullKind.PROBE);
        }
        return new LeafPlan(listed.stream().mapToInt(Integer::intValue).toArray(), ranges, PullKind.PLAIN);
    }

    /** The buckets a range of positions [from, to) touches, in order. */
    private static List<Integer> bucketsIn(long[] range) {
        if (Long.compareUnsigned(range[0], range[1]) >= 0) {
            return List.of();
        }
        int first = (int) (range[0] >>> 56);
        int last = (int) ((range[1] - 1) >>> 56);
        List<Integer> out = new ArrayList<>(last - first + 1);
        for (int bucket = first; bucket <= last; bucket++) {
            out.add(bucket);
        }
        return out;
    }

    /** Whether a mask has a bucket within the given ranges (none: the whole space). */
    private static boolean anyIn(boolean[] mask, List<long[]> ranges) {
        for (long[] r : ranges.isEmpty() ? List.of(new long[] {StateIndex.START, StateIndex.END}) : ranges) {
            for (int bucket : bucketsIn(r)) {
                if (mask[bucket]) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether an answer to one of this node's pulls is still arriving: not complete, and pulled or
     * a body of it received within the last {@code horizonMillis} (a heartbeat interval). Another
     * pull meanwhile would ask for the same ranges and be answered with the same entries; an answer
     * silent that long lost bodies, and the next pull asks for what they held. (Two intervals from
     * the pull, as it was, made the next round after a lost body wait a whole interval more.)
     */
    boolean awaitingAnswer() {
        for (String peer : awaited.keySet()) {
            if (awaitingAnswer(peer)) {
                return true;
            }
        }
        return false;
    }

    private boolean awaitingAnswer(String peer) {
        Awaited a = awaited.get(peer);
        return a != null && a.heardAtMillis > wallMillis.getAsLong() - horizonMillis;
    }

    /** An entry of an answer was refused because its author's key is unknown here: the next answer leads with certificates. */
    void lackedCertificate() {
        lackedCertificate = true;
    }

    /**
     * The ENTRIES bodies answering a PULL, each at most about {@code maxBody} bytes (an entry larger
     * than that goes alone): the entries in their sealed form ({@code sealed} gives it, in order,
     * leaving out what it cannot prove). Always at least one body, so the puller knows it was
     * answered even when nothing differs.
     *
     * @throws IllegalArgumentException if the pull is malformed
     */
    Answer answer(byte[] pull, int maxBody, Function<List<Entry>, List<SealedEntry>> sealed) {
        return answer(pull, maxBody, sealed, e -> false, null);
    }

    /**
     * As {@link #answer(byte[], int, Function)}; a pull that asks for this node's own entries only
     * (an own stream) is answered with the entries {@code own} accepts, sealed by {@code ownSealer}
     * as one tree for the whole answer and sent in bodies of up to {@value #OWN_BODY_DATAGRAMS}
     * datagrams, each body one group: the entry's bytes, two bytes of leaf index, and a share of one
     * signature and a few hashes.
     */
    Answer answer(byte[] pull, int maxBody, Function<List<Entry>, List<SealedEntry>> sealed, Predicate<Entry> own, OwnSealer ownSealer) {
        if (pull.length < PULL_FIXED) {
            throw new IllegalArgumentException("pull has " + pull.length + " bytes, at least " + PULL_FIXED + " expected");
        }
        ByteBuffer in = ByteBuffer.wrap(pull);
        long[] theirs = new long[StateIndex.BUCKETS];
        for (int i = 0; i < theirs.length; i++) {
            theirs[i] = in.getLong();
        }
        long cutoff = in.getLong();
        int id = in.getInt();
        int flags = in.get();
        boolean certificates = (flags & PULL_CERTIFICATES) != 0;
        boolean ownOnly = (flags & PULL_OWN) != 0 && ownSealer != null;
        int count = in.get() & 0xFF;
        if (count > MAX_RANGES || pull.length < PULL_FIXED + count * 16) {
            throw new IllegalArgumentException("pull of " + pull.length + " bytes says it has " + count + " ranges (at most " + MAX_RANGES + ")");
        }
        List<long[]> ranges = new ArrayList<>(Math.max(count, 1));
        for (int i = 0; i < count; i++) {
            ranges.add(new long[] {in.getLong(), in.getLong()});
        }
        if (ranges.isEmpty()) {
            ranges.add(new long[] {StateIndex.START, StateIndex.END});
        }
        LeafSection section = (flags & PULL_LEAVES) != 0 && !ownOnly ? LeafSection.read(in, pull.length) : null;
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("pull of " + pull.length + " bytes has " + in.remaining() + " bytes after its last part");
        }
        StateIndex.Settled mine = index.settled(cutoff, section == null ? new int[0] : section.buckets());
        boolean[] differing = new boolean[StateIndex.BUCKETS];
        boolean any = false;
        for (int i = 0; i < StateIndex.BUCKETS; i++) {
            differing[i] = theirs[i] != mine.buckets()[i];
            any |= differing[i];
        }
        LeafComparison leaves = section == null ? null : section.compare(mine.leaves(), differing);
        boolean anyDiffering = any;
        boolean[] mask = (flags & PULL_MASK) != 0 && !ownOnly ? differing : null;
        boolean[] walked = differing;
        boolean stopsShort = false;
        if (leaves != null) {
            long unlisted = firstUnlisted(ranges, differing, leaves.listed());
            if (unlisted != StateIndex.END) {
                ranges = before(ranges, unlisted);
                stopsShort = true;
            }
            walked = new boolean[StateIndex.BUCKETS];
            any = false;
            for (int i = 0; i < StateIndex.BUCKETS; i++) {
                walked[i] = differing[i] && leaves.listed()[i];
                any |= walked[i];
            }
        }
        AnswerBuilder out = ownOnly
                ? new AnswerBuilder(id, maxBody * OWN_BODY_DATAGRAMS - OWN_GROUP_RESERVE, ranges.get(0)[0], true, null)
                : new AnswerBuilder(id, maxBody, ranges.get(0)[0], false, mask);
        if (anyDiffering && certificates) { // those of every differing bucket, listed or not: an entry of a later pull may need them
            List<Entry> certs = index.certificatesIn(differing);
            if (!certs.isEmpty()) {
                sealed.apply(certs).forEach(out::addExtra);
            }
        }
        long last = ranges.get(ranges.size() - 1)[1];
        if (ownOnly) {
            return ownAnswer(out, ranges, walked, any, last, own, ownSealer);
        }
        // with leaves, only the differing leaves' positions are walked: a few entries of each listed bucket, not all of it
        List<long[]> walkedRanges = leaves == null ? ranges : leaves.rangesWithin(ranges, walked);
        Long stop = !any ? null : walk(walkedRanges, walked, chunk -> {
            List<SealedEntry> proven = sealed.apply(chunk);
            int j = 0;
            for (Entry e : chunk) {
                SealedEntry s = j < proven.size() && sameSlotAndVersion(proven.get(j).entry(), e) ? proven.get(j++) : null;
                if (s != null && !out.add(s, StateIndex.position(e))) {
                    return StateIndex.position(e);
                }
            }
            return null;
        });
        return stop == null ? out.finish(last, stopsShort) : out.finish(stop, true);
    }

    /**
     * Where in the wanted ranges the first bucket starts that differs but whose leaves the pull did
     * not list (END if none): the answer stops there and says there is more, so the puller pulls
     * again at once with this answer's mask, which lists it. Skipping it would leave it to the next
     * pass, a round later; sending it whole is what leaves are there to avoid.
     */
    private static long firstUnlisted(List<long[]> ranges, boolean[] differing, boolean[] listed) {
        for (long[] r : ranges) {
            for (int bucket : bucketsIn(r)) {
                if (differing[bucket] && !listed[bucket]) {
                    long start = (long) bucket << 56;
                    return Long.compareUnsigned(start, r[0]) > 0 ? start : r[0];
                }
            }
        }
        return StateIndex.END;
    }

    /** The parts of the ranges before {@code position}; one empty range at it if none. */
    private static List<long[]> before(List<long[]> ranges, long position) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            if (Long.compareUnsigned(r[0], position) >= 0) {
                break;
            }
            out.add(new long[] {r[0], Long.compareUnsigned(r[1], position) > 0 ? position : r[1]});
        }
        if (out.isEmpty()) {
            out.add(new long[] {position, position});
        }
        return out;
    }

    /** A pull's leaf section: the buckets it lists and, for each, the puller's {@value StateIndex#LEAVES_PER_BUCKET} settled leaf hashes. */
    private record LeafSection(int[] buckets, long[][] theirs) {

        static LeafSection read(ByteBuffer in, int length) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("pull of " + length + " bytes says it has leaves but ends before them");
            }
            int n = in.get() & 0xFF;
            if (n > LEAF_BUCKETS_PER_PULL * 2 || in.remaining() < n * LEAF_SECTION_BUCKET) {
                throw new IllegalArgumentException("pull of " + length + " bytes says it has the leaves of " + n + " buckets (at most "
                        + LEAF_BUCKETS_PER_PULL * 2 + ", " + LEAF_SECTION_BUCKET + " bytes each)");
            }
            int[] buckets = new int[n];
            long[][] theirs = new long[n][StateIndex.LEAVES_PER_BUCKET];
            for (int i = 0; i < n; i++) {
                buckets[i] = in.get() & 0xFF;
                for (int l = 0; l < StateIndex.LEAVES_PER_BUCKET; l++) {
                    theirs[i][l] = in.getLong();
                }
            }
            return new LeafSection(buckets, theirs);
        }

        /** Compared with this node's leaves of the same buckets settled at the pull's cutoff: which leaves of the differing ones differ. */
        LeafComparison compare(long[][] mine, boolean[] differing) {
            boolean[] listed = new boolean[StateIndex.BUCKETS];
            boolean[] leafDiffers = new boolean[StateIndex.BUCKETS * StateIndex.LEAVES_PER_BUCKET];
            for (int i = 0; i < buckets.length; i++) {
                int b = buckets[i];
                listed[b] = true;
                if (!differing[b]) {
                    continue;
                }
                for (int l = 0; l < StateIndex.LEAVES_PER_BUCKET; l++) {
                    leafDiffers[b * StateIndex.LEAVES_PER_BUCKET + l] = theirs[i][l] != mine[i][l];
                }
            }
            return new LeafComparison(listed, leafDiffers);
        }
    }

    /**
     * Walks the entries of the differing buckets in the wanted ranges in position order, a chunk at
     * a time, until {@code visit} returns the position the answer stops at (null: go on).
     *
     * @return where the answer stopped, or null if it took everything
     */
    private Long walk(List<long[]> ranges, boolean[] differing, Function<List<Entry>, Long> visit) {
        for (long[] r : ranges) {
            long at = r[0];
            while (true) {
                List<Entry> chunk = index.next(at, r[1], differing, CHUNK);
                if (chunk.isEmpty()) {
                    break;
                }
                Long stop = visit.apply(chunk);
                if (stop != null) {
                    return stop;
                }
                at = StateIndex.position(chunk.get(chunk.size() - 1)) + 1;
            }
        }
        return null;
    }

    /**
     * Walks the wanted ranges for this node's own entries, up to {@code maxBytes} of encodings, and
     * seals what it found as one tree (the signer splits a batch larger than a tree holds).
     */
    private Answer ownAnswer(AnswerBuilder out, List<long[]> ranges, boolean[] differing, boolean any, long last,
            Predicate<Entry> own, OwnSealer ownSealer) {
        List<Entry> picked = new ArrayList<>();
        List<byte[]> encoded = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        long[] bytes = {0};
        Long stop = !any ? null : walk(ranges, differing, chunk -> {
            for (Entry e : chunk) {
                if (!own.test(e)) {
                    continue;
                }
                byte[] enc;
                try {
                    enc = io.acp.cluster.sync.wire.EntryCodec.encode(e);
                } catch (IllegalArgumentException noWireForm) {
                    continue; // the signer would leave it out too; it logs that when the entry is sealed for a delta
                }
                if (bytes[0] + enc.length > maxBytes && bytes[0] > 0) {
                    return StateIndex.position(e);
                }
                picked.add(e);
                encoded.add(enc);
                positions.add(StateIndex.position(e));
                bytes[0] += enc.length;
            }
            return null;
        });
        List<SealedEntry> proven = picked.isEmpty() ? List.of() : ownSealer.seal(picked, encoded);
        for (int k = 0; k < proven.size(); k++) {
            out.add(proven.get(k), positions.get(k));
        }
        return stop == null ? out.finish(last, false) : out.finish(stop, true);
    }

    /** Fills bodies in position order, each saying which positions it covers. */
    private final class AnswerBuilder {
        private final int id;
        private final int maxBody;
        private final boolean own;
        /** The differing buckets, for the first body; null: the pull did not ask. */
        private final boolean[] mask;
        private final List<List<SealedEntry>> bodies = new ArrayList<>();
        private final List<long[]> covers = new ArrayList<>(); // {from, next} per body
        private List<SealedEntry> current = new ArrayList<>();
        private long currentFrom;
        private int currentBytes;
        private int totalBytes;
        private int entries;

        AnswerBuilder(int id, int maxBody, long from, boolean own, boolean[] mask) {
            this.id = id;
            this.maxBody = mask == null ? maxBody : maxBody - MASK_BYTES; // each body then fits with the mask, whichever is first
            this.currentFrom = from;
            this.own = own;
            this.mask = mask;
        }

        /** A certificate meta leading the answer: outside the stream, it covers no position. */
        void addExtra(SealedEntry s) {
            int bytes = bytes(s);
            current.add(s);
            currentBytes += bytes;
            totalBytes += bytes;
            entries++;
        }

        /** Adds the entry at {@code position}; false if the answer is full (it is then not added). */
        boolean add(SealedEntry s, long position) {
            int bytes = own ? 2 + s.encoded().length : bytes(s);
            if (!own && totalBytes + bytes > maxBytes && totalBytes > 0) {
                return false;
            }
            if (currentBytes + bytes > maxBody - ANSWER_HEADER && !current.isEmpty()) {
                close(position);
            }
            current.add(s);
            currentBytes += bytes;
            totalBytes += bytes;
            entries++;
            return true;
        }

        private void close(long next) {
            bodies.add(current);
            covers.add(new long[] {currentFrom, next});
            current = new ArrayList<>();
            currentFrom = next;
            currentBytes = 0;
        }

        Answer finish(long next, boolean more) {
            close(next);
            List<byte[]> out = new ArrayList<>(bodies.size());
            for (int k = 0; k < bodies.size(); k++) {
                ByteArrayOutputStream groups = new ByteArrayOutputStream(maxBody + MASK_BYTES);
                boolean withMask = k == 0 && mask != null;
                if (withMask) {
                    groups.writeBytes(maskBytes(mask));
                }
                // one body per call as the bytes were counted for one; several concatenated would still be a valid body
                SealedCodec.pack(bodies.get(k), Integer.MAX_VALUE, Integer.MAX_VALUE).forEach(groups::writeBytes);
                out.add(answerBody(id, k, bodies.size(), (more ? ANSWER_MORE : 0) | (own ? ANSWER_OWN : 0) | (withMask ? ANSWER_MASK : 0),
                        covers.get(k)[0], covers.get(k)[1], groups.toByteArray()));
            }
            return new Answer(out, entries, own);
        }

        private static int bytes(SealedEntry s) {
            return GROUP_OVERHEAD + s.seal().author().length() + s.encoded().length + PATH_HASH * s.seal().height();
        }
    }

    /**
     * An ENTRIES body: the header, then sealed groups ({@link SealedCodec}). A body that covers no
     * range ({@code from == next}) moves no cursor, whoever sends it.
     */
    static byte[] answerBody(int pullId, int index, int bodies, boolean more, long from, long next, byte[] groups) {
        return answerBody(pullId, index, bodies, more ? ANSWER_MORE : 0, from, next, groups);
    }

    static byte[] answerBody(int pullId, int index, int bodies, int flags, long from, long next, byte[] groups) {
        return ByteBuffer.allocate(ANSWER_HEADER + groups.length)
                .putInt(pullId)
                .putShort((short) index)
                .putShort((short) bodies)
                .put((byte) flags)
                .putLong(from)
                .putLong(next)
                .put(groups)
                .array();
    }

    private static byte[] maskBytes(boolean[] mask) {
        byte[] out = new byte[MASK_BYTES];
        for (int b = 0; b < mask.length; b++) {
            if (mask[b]) {
                out[b >>> 3] |= (byte) (1 << (b & 7));
            }
        }
        return out;
    }

    private static boolean[] maskOf(byte[] body, int at) {
        boolean[] out = new boolean[StateIndex.BUCKETS];
        for (int b = 0; b < out.length; b++) {
            out[b] = (body[at + (b >>> 3)] & (1 << (b & 7))) != 0;
        }
        return out;
    }

    private static boolean sameSlotAndVersion(Entry a, Entry b) {
        return a.kind() == b.kind() && a.key().equals(b.key()) && a.node().equals(b.node()) && a.version().equals(b.version());
    }

    /**
     * Reads an ENTRIES body from {@code peer}: marks the range it covers as answered, and says
     * whether the answer to this node's last pull of that peer is now complete and the peer has
     * more to send (then the caller pulls again at once rather than at the next round).
     *
     * @throws IllegalArgumentException if the body is malformed
     */
    Received received(String peer, byte[] body) {
        if (body.length < ANSWER_HEADER) {
            throw new IllegalArgumentException("answer of " + peer + " has " + body.length + " bytes, less than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        int id = b.getInt();
        b.getShort(); // index: bodies are counted, not ordered
        int bodies = b.getShort() & 0xFFFF;
        int flags = b.get();
        boolean more = (flags & ANSWER_MORE) != 0;
        long from = b.getLong();
        long next = b.getLong();
        int groupsAt = ANSWER_HEADER;
        boolean[] mask = null;
        if ((flags & ANSWER_MASK) != 0) {
            if (body.length < ANSWER_HEADER + MASK_BYTES) {
                throw new IllegalArgumentException("answer of " + peer + " says it has a mask but has " + body.length + " bytes");
            }
            mask = maskOf(body, ANSWER_HEADER);
            groupsAt += MASK_BYTES;
        }
        List<SealedEntry> entries = SealedCodec.decode(java.util.Arrays.copyOfRange(body, groupsAt, body.length));
        if (mask != null) {
            masks.put(peer, mask);
        }
        if ((flags & ANSWER_OWN) == 0) {
            cursor.covered(from, next);
        } else {
            StreamCursor own = ownStreams.get(peer); // none if it is over: a late body moves nothing
            if (own != null) {
                own.covered(from, next);
                if (own.passDone()) {
                    ownStreams.remove(peer);
                }
            }
        }
        Awaited a = awaited.get(peer);
        if (a != null && a.id == id) {
            a.heardAtMillis = wallMillis.getAsLong();
        }
        boolean complete = a != null && a.id == id && ++a.bodies == bodies;
        if (complete) {
            awaited.remove(peer);
        }
        boolean goOn = complete && (a.kind == PullKind.PROBE ? afterProbe(peer, mask) : more);
        return new Received(entries, goOn);
    }

    /**
     * The answer to a probe arrived: whether to pull again at once. Not if it carried no mask (the
     * peer is of an older version: it is pulled bucket by bucket from now on) or says nothing
     * differs (the settled states are equal). If what differs lies only behind the pass's wanted
     * ranges, the rest of the pass is over (nothing there differs) and the next pull starts a new one.
     */
    private boolean afterProbe(String peer, boolean[] mask) {
        if (mask == null) {
            noMask.add(peer);
            return true;
        }
        if (!anyIn(mask, List.of(new long[] {StateIndex.START, StateIndex.END}))) {
            return false;
        }
        List<long[]> wanted = cursor.firstRanges(MAX_RANGES);
        if (!anyIn(mask, wanted)) {
            for (long[] r : wanted) {
                cursor.covered(r[0], r[1]);
            }
        }
        return true;
    }

    /** Forgets the answers awaited, as if a silent heartbeat interval had passed; for tests. */
    void forgetAwaited() {
        awaited.clear();
    }

    /** The puller's resume point, for tests. */
    StreamCursor cursor() {
        return cursor;
    }

    void forget(String peer) {
        peerRoots.remove(peer);
        peerSizes.remove(peer);
        masks.remove(peer);
        noMask.remove(peer);
    }
}
