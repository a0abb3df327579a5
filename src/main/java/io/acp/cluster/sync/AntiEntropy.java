package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.StatsEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Repairs what deltas lost. Every heartbeat carries the sender's digest root; a node whose root
 * differs from a live peer's sends that peer (unicast) a PULL with its {@value StateIndex#BUCKETS}
 * bucket hashes, and the peer answers with ENTRIES: its entries of every bucket whose hash differs,
 * at most {@code maxBytes} per answer, certificate metas first, then taken alternately newest first and in random order. A bucket
 * differs for all its entries, and after a partition or a burst of loss nearly every bucket does, so
 * an answer repeats mostly what the puller has; what it lacks is usually what changed last, which the
 * newest-first half sends in the first round (measured: docs/benchmarks.md, "Cluster sync"). The
 * random half keeps repeated rounds covering everything, old entries included. The puller merges them; what the peer lacks, the peer pulls in
 * turn when it sees the puller's root. One pull per interval, to one peer chosen at random.
 */
final class AntiEntropy {

    private final StateIndex index;
    private final Random random;
    private final int maxBytes;
    private final Map<String, Long> peerRoots = new ConcurrentHashMap<>();

    AntiEntropy(StateIndex index, Random random, int maxBytes) {
        this.index = index;
        this.random = random;
        this.maxBytes = maxBytes;
    }

    static byte[] heartbeatBody(long root, int size) {
        return ByteBuffer.allocate(12).putLong(root).putInt(size).array();
    }

    /** Records the digest root in a peer's heartbeat; true if it equals this node's. */
    boolean heardHeartbeat(String peer, byte[] body) {
        if (body.length < 12) {
            throw new IllegalArgumentException("heartbeat of " + peer + " has " + body.length + " bytes, needs 12");
        }
        long root = ByteBuffer.wrap(body).getLong();
        peerRoots.put(peer, root);
        return root == index.root();
    }

    /** A live peer whose last announced root differs from ours, chosen at random, if any. */
    Optional<String> choosePeer(Predicate<String> alive) {
        long mine = index.root();
        List<String> differing = new ArrayList<>();
        peerRoots.forEach((peer, root) -> {
            if (root != mine && alive.test(peer)) {
                differing.add(peer);
            }
        });
        if (differing.isEmpty()) {
            return Optional.empty();
        }
        Collections.sort(differing); // deterministic before the seeded choice
        return Optional.of(differing.get(random.nextInt(differing.size())));
    }

    /** Whether every known live peer announced our root (convergence, as far as this node can tell). */
    boolean agreesWith(Predicate<String> alive) {
        long mine = index.root();
        return peerRoots.entrySet().stream().filter(e -> alive.test(e.getKey())).allMatch(e -> e.getValue() == mine);
    }

    byte[] pullBody() {
        long[] buckets = index.buckets();
        ByteBuffer b = ByteBuffer.allocate(buckets.length * 8);
        for (long h : buckets) {
            b.putLong(h);
        }
        return b.array();
    }

    /**
     * The ENTRIES bodies answering a PULL, each at most {@code maxBody} bytes: the entries in their
     * sealed form ({@code sealed} gives it, leaving out what it cannot prove).
     */
    List<byte[]> answer(byte[] pull, int maxBody, Function<List<Entry>, List<SealedEntry>> sealed) {
        if (pull.length != StateIndex.BUCKETS * 8) {
            throw new IllegalArgumentException("pull has " + pull.length + " bytes, expected " + StateIndex.BUCKETS * 8);
        }
        long[] mine = index.buckets();
        ByteBuffer theirs = ByteBuffer.wrap(pull);
        boolean[] differing = new boolean[StateIndex.BUCKETS];
        boolean any = false;
        for (int i = 0; i < StateIndex.BUCKETS; i++) {
            differing[i] = theirs.getLong() != mine[i];
            any |= differing[i];
        }
        if (!any) {
            return List.of();
        }
        return SealedCodec.pack(sealed.apply(certificatesFirst(newestAndRandomAlternately(index.entriesIn(differing)))), maxBody, maxBytes);
    }

    /**
     * Certificate metas lead every answer: each entry is checked against its author's certificate,
     * and a puller that lacks one (a node back on an empty disk lacks even its own old one) would
     * refuse every entry sealed under it until the random half of some answer happened to carry it.
     * They are few (one per node key) and small.
     */
    private static List<Entry> certificatesFirst(List<Entry> entries) {
        List<Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (CertificateMeta.isCertificateMeta(e)) {
                out.add(e);
            }
        }
        for (Entry e : entries) {
            if (!CertificateMeta.isCertificateMeta(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Stats go last in the newest-first order: every series gets a new sample each second, so by
     * version they would always come first, and a lost sample is superseded by the next one anyway.
     */
    private static final Comparator<Entry> NEWEST_FIRST = Comparator.comparing((Entry e) -> e instanceof StatsEntry)
            .thenComparing(Entry::version, Comparator.reverseOrder());

    private List<Entry> newestAndRandomAlternately(List<Entry> entries) {
        List<Entry> newest = new ArrayList<>(entries);
        newest.sort(NEWEST_FIRST);
        Collections.shuffle(entries, random);
        Set<Entry> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Entry> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            if (taken.add(newest.get(i))) {
                out.add(newest.get(i));
            }
            if (taken.add(entries.get(i))) {
                out.add(entries.get(i));
            }
        }
        return out;
    }

    void forget(String peer) {
        peerRoots.remove(peer);
    }
}
