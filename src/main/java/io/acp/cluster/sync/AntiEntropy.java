package io.acp.cluster.sync;

import io.acp.model.Entry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Repairs what deltas lost. Every heartbeat carries the sender's digest root; a node whose root
 * differs from a live peer's sends that peer (unicast) a PULL with its {@value StateIndex#BUCKETS}
 * bucket hashes, and the peer answers with ENTRIES: its entries of every bucket whose hash differs,
 * in random order and at most {@code maxBytes} per answer, so one round is bounded and repeated
 * rounds still cover everything. The puller merges them; what the peer lacks, the peer pulls in
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

    /** Records the digest root in a peer's heartbeat. */
    void heardHeartbeat(String peer, byte[] body) {
        if (body.length < 12) {
            throw new IllegalArgumentException("heartbeat of " + peer + " has " + body.length + " bytes, needs 12");
        }
        peerRoots.put(peer, ByteBuffer.wrap(body).getLong());
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

    /** The ENTRIES bodies answering a PULL, each at most {@code maxBody} bytes. */
    List<byte[]> answer(byte[] pull, int maxBody) {
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
        List<Entry> entries = index.entriesIn(differing);
        Collections.shuffle(entries, random);
        return DeltaBatcher.pack(entries, maxBody, maxBytes);
    }

    void forget(String peer) {
        peerRoots.remove(peer);
    }
}
