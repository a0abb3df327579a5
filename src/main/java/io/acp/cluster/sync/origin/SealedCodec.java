package io.acp.cluster.sync.origin;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.cluster.sync.wire.WireStrings;
import io.acp.model.Entry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * DELTA and ENTRIES bodies: a sequence of sealed groups. A group is entries of one author's batch
 * (one tree, one signature) with the signature once and a multiproof: the sibling hashes needed to
 * climb from those leaves to the root ({@link Merkle#proof}). A flush's entries go out as one group
 * per datagram body, so a body pays for one signature and a few hashes, not a seal per entry; a relay
 * of single entries (anti-entropy) sends groups of one, whose proof is the entry's whole path.
 *
 * <pre>
 * group: author length (1) | author (ASCII) | key id (8) | height (1) | signature (64)
 *        | count n (2) | n × leaf (2) | proof hashes k (2) | k × 16 | n × entry (EntryCodec, length-prefixed)
 * </pre>
 *
 * Decoding recomputes the root from the entries' own bytes, once per group, and gives each entry its
 * full seal (its path rebuilt), so a receiver can relay it alone later.
 */
public final class SealedCodec {

    private static final int GROUP_FIXED = 1 + 8 + 1 + EcdsaP256.SIGNATURE_LENGTH + 2 + 2;
    /** One digest per decoding thread: looking one up in the JDK's providers cost ≈ 2 % of the sync thread, once per body. */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Merkle::sha256);

    private SealedCodec() {
    }

    /** One entry as a group of its own (a complete body, or part of one). */
    public static byte[] encode(SealedEntry s) {
        return encodeGroup(List.of(s));
    }

    /** @throws IllegalArgumentException if the body is cut short or inconsistent */
    public static List<SealedEntry> decode(byte[] body) {
        return decode(body, StatsSetCodec.CACHED);
    }

    /**
     * {@link #decode(byte[])}, the keys of its stats sets found through {@code setKeys}.
     *
     * @throws IllegalArgumentException if the body is cut short or inconsistent
     */
    public static List<SealedEntry> decode(byte[] body, StatsSetCodec.SetKeys setKeys) {
        ByteBuffer b = ByteBuffer.wrap(body);
        List<SealedEntry> out = new ArrayList<>();
        MessageDigest d = DIGEST.get();
        d.reset(); // nothing left over from a body that threw halfway
        try {
            while (b.hasRemaining()) {
                decodeGroup(body, b, d, out, setKeys);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("sealed group at byte " + b.position() + " is cut short");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void decodeGroup(byte[] body, ByteBuffer b, MessageDigest d, List<SealedEntry> out, StatsSetCodec.SetKeys setKeys) {
        int n = b.get() & 0xFF;
        if (n > b.remaining()) {
            throw new IllegalArgumentException("seal author of " + n + " bytes exceeds the " + b.remaining() + " bytes left");
        }
        // the cached instance: the same one as the node ids of its entries and of the seal slots, so their comparisons end on identity
        String author = WireStrings.decode(body, b.position(), n);
        b.position(b.position() + n);
        long keyId = b.getLong();
        int height = b.get() & 0xFF;
        if (height > Seal.MAX_HEIGHT) {
            throw new IllegalArgumentException("seal tree height " + height + " exceeds " + Seal.MAX_HEIGHT);
        }
        byte[] signature = new byte[EcdsaP256.SIGNATURE_LENGTH];
        b.get(signature);
        int count = b.getShort() & 0xFFFF;
        int[] leaves = new int[count];
        for (int k = 0; k < count; k++) {
            leaves[k] = b.getShort() & 0xFFFF;
        }
        int hashes = b.getShort() & 0xFFFF;
        if (hashes > count * height) {
            throw new IllegalArgumentException("sealed group of " + author + " has " + hashes + " proof hashes for " + count + " leaves");
        }
        ByteBuffer proof = b.slice(b.position(), hashes * Merkle.HASH_LENGTH);
        b.position(b.position() + hashes * Merkle.HASH_LENGTH);
        List<? extends Entry>[] entries = new List[count];
        byte[][] encoded = new byte[count][];
        byte[][] leafHashes = new byte[count][];
        for (int k = 0; k < count; k++) {
            int start = b.position();
            // a stats set is one leaf of many samples; each sample comes out as an entry of that leaf
            entries[k] = StatsSetCodec.isSet(body, start) ? StatsSetCodec.decodeOne(b, setKeys).samples() : List.of(EntryCodec.decodeOne(b));
            encoded[k] = Arrays.copyOfRange(body, start, b.position());
            leafHashes[k] = Merkle.leaf(d, encoded[k]);
        }
        Merkle.Climb climb = Merkle.rootFromProof(d, height, leaves, leafHashes, proof);
        for (int k = 0; k < count; k++) {
            Seal seal = new Seal(author, keyId, height, leaves[k], climb.paths()[k], signature);
            for (Entry e : entries[k]) {
                out.add(new SealedEntry(e, encoded[k], seal, climb.root()));
            }
        }
    }

    /** Whether two sealed entries come from the same signed tree (so they can share a group). */
    private static boolean sameTree(Seal x, Seal y) {
        return x.keyId() == y.keyId() && x.height() == y.height() && x.author().equals(y.author()) && Arrays.equals(x.signature(), y.signature());
    }

    /** Entries of one tree as one group, leaves ascending (a leaf twice is sent once). */
    private static byte[] encodeGroup(List<SealedEntry> group) {
        List<SealedEntry> sorted = new ArrayList<>(group);
        sorted.sort(Comparator.comparingInt(s -> s.seal().leaf()));
        List<SealedEntry> distinct = new ArrayList<>(sorted.size());
        for (SealedEntry s : sorted) {
            if (distinct.isEmpty() || distinct.get(distinct.size() - 1).seal().leaf() != s.seal().leaf()) {
                distinct.add(s);
            }
        }
        Seal first = distinct.get(0).seal();
        int[] leaves = new int[distinct.size()];
        byte[][] paths = new byte[distinct.size()][];
        int entryBytes = 0;
        for (int k = 0; k < leaves.length; k++) {
            leaves[k] = distinct.get(k).seal().leaf();
            paths[k] = distinct.get(k).seal().path();
            entryBytes += distinct.get(k).encoded().length;
        }
        byte[] proof = Merkle.proof(first.height(), leaves, paths);
        ByteBuffer b = ByteBuffer.allocate(GROUP_FIXED + first.author().length() + 2 * leaves.length + proof.length + entryBytes);
        b.put((byte) first.author().length());
        b.put(first.author().getBytes(StandardCharsets.US_ASCII));
        b.putLong(first.keyId());
        b.put((byte) first.height());
        b.put(first.signature());
        b.putShort((short) leaves.length);
        for (int leaf : leaves) {
            b.putShort((short) leaf);
        }
        b.putShort((short) (proof.length / Merkle.HASH_LENGTH));
        b.put(proof);
        for (SealedEntry s : distinct) {
            b.put(s.encoded());
        }
        return b.array();
    }

    /**
     * Packs sealed entries into bodies of at most {@code maxBody} bytes (an entry larger than that
     * goes alone), stopping before {@code maxTotal} bytes in all (at least one entry goes). Neighbours
     * of the same tree share a group; the order of groups is the order of the entries.
     */
    public static List<byte[]> pack(List<SealedEntry> entries, int maxBody, int maxTotal) {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxBody, 1 << 16));
        List<SealedEntry> group = new ArrayList<>();
        java.util.TreeSet<Integer> groupLeaves = new java.util.TreeSet<>();
        int groupBytes = 0; // the group's encoded length
        int groupProof = 0; // its proof's hashes
        int total = 0;
        for (SealedEntry s : entries) {
            Seal seal = s.seal();
            if (!group.isEmpty() && sameTree(group.get(group.size() - 1).seal(), seal) && groupLeaves.contains(seal.leaf())) {
                continue; // a leaf the group holds already: another sample of the same stats set
            }
            boolean joins = !group.isEmpty() && sameTree(group.get(group.size() - 1).seal(), seal) && group.size() < 0xFFFF
                    && !groupLeaves.contains(seal.leaf());
            int proofAfter = 0;
            int growth;
            if (joins) {
                groupLeaves.add(seal.leaf());
                proofAfter = Merkle.proofSize(seal.height(), groupLeaves.stream().mapToInt(Integer::intValue).toArray());
                groupLeaves.remove(seal.leaf());
                growth = 2 + s.encoded().length + Merkle.HASH_LENGTH * (proofAfter - groupProof);
            } else {
                growth = alone(s);
            }
            if (total + growth > maxTotal && total > 0) {
                break;
            }
            boolean full = body.size() + groupBytes + growth > maxBody && body.size() + groupBytes > 0;
            if (full || !joins) {
                if (!group.isEmpty()) {
                    body.writeBytes(encodeGroup(group));
                }
                group.clear();
                groupLeaves.clear();
                groupBytes = 0;
                if (full) {
                    out.add(body.toByteArray());
                    body.reset();
                }
                growth = alone(s);
                proofAfter = seal.height();
            }
            group.add(s);
            groupLeaves.add(seal.leaf());
            groupBytes += growth;
            groupProof = proofAfter;
            total += growth;
        }
        if (!group.isEmpty()) {
            body.writeBytes(encodeGroup(group));
        }
        if (body.size() > 0) {
            out.add(body.toByteArray());
        }
        return out;
    }

    /** The encoded length of a group of this entry alone. */
    private static int alone(SealedEntry s) {
        return GROUP_FIXED + s.seal().author().length() + 2 + s.encoded().length + Merkle.HASH_LENGTH * s.seal().height();
    }
}
