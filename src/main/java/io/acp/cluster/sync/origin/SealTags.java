package io.acp.cluster.sync.origin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Vouches for a seal to each receiver with a pair tag, so a receiver that hears a batch from its
 * author accepts the batch's root without an ECDSA verification. The author multicasts a SEAL_TAGS
 * message right before the DELTA bodies of every batch of its own entries it seals (each flush in a
 * large group, each heartbeat's seal in a small one): the batch's root and signature, hashed once,
 * and one truncated HMAC per receiver over them under the pair key ({@link PairTags#pairKey}). A
 * receiver checks only its own slot; if it verifies, the (author, key id, height, root, signature)
 * is vouched ({@link SealVerifier#vouch}) and the entries of that root pass their seal check with
 * no verification. The seal itself travels unchanged in the DELTA, for relays, anti-entropy and the
 * bridge, whose receivers verify it. See docs/protocol.md ("Seal tags") and docs/security.md.
 *
 * <pre>
 * body: sender key id (8) | height (1) | root (16) | signature (64) | n (1, at most 128)
 *       | n × (receiver key id, first 4 bytes (4) | tag (12))
 * tag:  first 12 bytes of HMAC-SHA256(pair key, "acp sync seal tag v1\0" ‖ sender ‖ 0x00 ‖ receiver ‖ 0x00
 *       ‖ sender epoch (8) ‖ sender key id (8) ‖ receiver key id (8) ‖ height (1) ‖ root (16) ‖ signature (64))
 * </pre>
 *
 * Not thread-safe: the sync thread (sending and receiving both run there).
 */
public final class SealTags {

    /**
     * Receivers one seal is tagged for at most: a larger cluster verifies every seal. Each 77
     * receivers add a datagram per flush that every receiver takes in (about 4 µs of its I/O
     * thread); one ECDSA verification costs it about 110–120 µs (docs/benchmarks.md, "Seal tags,
     * one wake-up and kept targets at 256 nodes"). So tags stay the cheaper proof to well over a
     * thousand receivers; 512 keeps a margin and bounds a flush's tags at 7 datagrams.
     */
    public static final int MAX_RECEIVERS = 512;
    /** Slots one SEAL_TAGS body carries at most (its count is a byte); a larger batch of receivers takes several bodies. */
    public static final int MAX_SLOTS_PER_BODY = 128;
    static final int TAG_LENGTH = 12;
    static final int SLOT_LENGTH = 4 + TAG_LENGTH;
    static final int HEADER_LENGTH = 8 + 1 + Merkle.HASH_LENGTH + EcdsaP256.SIGNATURE_LENGTH + 1;
    private static final byte[] DOMAIN = "acp sync seal tag v1\0".getBytes(StandardCharsets.US_ASCII);

    /** One batch as its author sealed it: what a SEAL_TAGS message vouches for. */
    public record Batch(long keyId, int height, byte[] root, byte[] signature) {
    }

    private final NodeSigner signer;
    private final AuthorKeys keys;
    private final PairTags pairs;
    private final OriginCheck check;
    private final OriginCounters counters;
    private final LongSupplier clockMillis;
    private final Mac mac;
    private final MessageDigest digest = Merkle.sha256();
    private final AtomicLong untagged = new AtomicLong();

    public SealTags(NodeSigner signer, AuthorKeys keys, PairTags pairs, OriginCheck check, OriginCounters counters, LongSupplier clockMillis) {
        this.signer = signer;
        this.keys = keys;
        this.pairs = pairs;
        this.check = check;
        this.counters = counters;
        this.clockMillis = clockMillis;
        this.mac = PairTags.hmac();
    }

    /** The distinct batches of sealed entries of this node, in order (a long list is sealed as several trees). */
    public List<Batch> batches(List<SealedEntry> sealed) {
        List<Batch> out = new ArrayList<>();
        byte[] last = null;
        for (SealedEntry s : sealed) {
            Seal seal = s.seal();
            if (seal.signature() == last) {
                continue;
            }
            last = seal.signature();
            byte[] root = Merkle.rootFromPath(digest, Merkle.leaf(digest, s.encoded()), seal.leaf(), seal.path());
            out.add(new Batch(seal.keyId(), seal.height(), root, seal.signature()));
        }
        return out;
    }

    /**
     * SEAL_TAGS bodies vouching for {@code batch} to each member key this node knows, at most
     * {@code maxBody} bytes each; none when it knows none or more than {@link #MAX_RECEIVERS}
     * (receivers then verify the seal).
     */
    public List<byte[]> encode(Batch batch, long epoch, int maxBody) {
        List<AuthorKeys.MemberKey> receivers = keys.validKeysOfOthers(signer.node(), clockMillis.getAsLong(), MAX_RECEIVERS);
        if (receivers == null || receivers.isEmpty()) {
            return List.of();
        }
        int perBody = Math.max(1, Math.min(MAX_SLOTS_PER_BODY, (maxBody - HEADER_LENGTH) / SLOT_LENGTH));
        List<byte[]> bodies = new ArrayList<>();
        for (int from = 0; from < receivers.size(); from += perBody) {
            List<AuthorKeys.MemberKey> slice = receivers.subList(from, Math.min(receivers.size(), from + perBody));
            ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + slice.size() * SLOT_LENGTH);
            b.putLong(batch.keyId()).put((byte) batch.height()).put(batch.root()).put(batch.signature()).put((byte) slice.size());
            for (AuthorKeys.MemberKey r : slice) {
                b.putInt((int) (r.keyId() >>> 32));
                b.put(tag(pairs.pairKey(r.node(), r.keyId(), r), signer.node(), r.node(), epoch, batch, signer.keyId(), r.keyId()));
            }
            bodies.add(b.array());
        }
        return bodies;
    }

    /**
     * Checks a SEAL_TAGS message from {@code sender} (as its authenticated header names it, in its
     * epoch): if the slot for this node's key verifies, the batch is vouched and its entries pass
     * their seal check with no ECDSA verification. A body with no slot for this node's key, or from
     * a key not known here yet, is ignored and counted ({@link #untagged()}: the entries' seals are
     * verified instead); a tag that does not verify is refused as {@code bad-tag}, a revoked or
     * expired sender key as {@code revoked}. Nothing else changes.
     *
     * @throws IllegalArgumentException if the body is cut short, longer than its slots, or has more than {@link #MAX_SLOTS_PER_BODY} slots
     */
    public void open(String sender, long senderEpoch, byte[] body) {
        if (body.length < HEADER_LENGTH) {
            throw new IllegalArgumentException("seal tags of node " + sender + " are cut short in their header (" + body.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        int n = body[HEADER_LENGTH - 1] & 0xFF;
        if (n > MAX_SLOTS_PER_BODY) {
            throw new IllegalArgumentException("seal tags of node " + sender + " claim " + n + " receivers in one body, more than " + MAX_SLOTS_PER_BODY);
        }
        if (body.length - HEADER_LENGTH != n * SLOT_LENGTH) {
            throw new IllegalArgumentException("seal tags of node " + sender + " claim " + n + " slots but carry " + (body.length - HEADER_LENGTH) + " bytes of them");
        }
        int height = body[8] & 0xFF;
        if (height > Seal.MAX_HEIGHT) {
            throw new IllegalArgumentException("seal tags of node " + sender + " name a tree of height " + height);
        }
        // the slots for this node's key first, read in place: in a large group most bodies hold
        // none (77 receivers to a body), and those cost no copy of anything
        int mine = (int) (signer.keyId() >>> 32);
        List<byte[]> candidates = null;
        for (int at = HEADER_LENGTH; at < body.length; at += SLOT_LENGTH) {
            if (b.getInt(at) == mine) {
                if (candidates == null) {
                    candidates = new ArrayList<>(1);
                }
                candidates.add(Arrays.copyOfRange(body, at + 4, at + SLOT_LENGTH));
            }
        }
        if (candidates == null) {
            untagged.incrementAndGet();
            return;
        }
        long senderKeyId = b.getLong(0);
        byte[] root = Arrays.copyOfRange(body, 9, 9 + Merkle.HASH_LENGTH);
        byte[] signature = Arrays.copyOfRange(body, 9 + Merkle.HASH_LENGTH, 9 + Merkle.HASH_LENGTH + EcdsaP256.SIGNATURE_LENGTH);
        AuthorKeys.Lookup key = keys.key(sender, senderKeyId, clockMillis.getAsLong());
        if (key.problem() == AuthorKeys.Problem.UNKNOWN) {
            untagged.incrementAndGet(); // its DELTA is refused as unknown-author, counted there
            return;
        }
        String what = "the seal tags of a batch of height " + height;
        if (key.problem() != null) {
            counters.refused(Refusal.REVOKED, sender, what, "the certificate of node " + sender + " (serial "
                    + key.certificate().getSerialNumber().toString(16) + ") is " + key.problem().name().toLowerCase(java.util.Locale.ROOT));
            return;
        }
        Batch batch = new Batch(senderKeyId, height, root, signature);
        byte[] expected = tag(pairs.pairKey(sender, senderKeyId, key.key()),
                sender, signer.node(), senderEpoch, batch, senderKeyId, signer.keyId());
        for (byte[] candidate : candidates) {
            if (MessageDigest.isEqual(expected, candidate)) {
                check.vouch(sender, batch);
                return;
            }
        }
        counters.refused(Refusal.BAD_TAG, sender, what, "its seal tag for node " + signer.node()
                + " does not verify under the pair key of " + sender + " and " + signer.node());
    }

    /** SEAL_TAGS messages that carried no usable slot for this node (its seals were verified instead). */
    public long untagged() {
        return untagged.get();
    }

    byte[] tag(SecretKeySpec key, String sender, String receiver, long epoch, Batch batch, long senderKeyId, long receiverKeyId) {
        PairTags.begin(mac, key, DOMAIN, sender, receiver);
        mac.update(ByteBuffer.allocate(25).putLong(epoch).putLong(senderKeyId).putLong(receiverKeyId).put((byte) batch.height()).array());
        mac.update(batch.root());
        mac.update(batch.signature());
        return Arrays.copyOf(mac.doFinal(), TAG_LENGTH);
    }
}
