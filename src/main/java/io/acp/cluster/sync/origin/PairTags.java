package io.acp.cluster.sync.origin;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.jboss.logging.Logger;

/**
 * Origin authentication of a delta on the direct path, author to receiver, without a signature:
 * every pair of members shares a key that only those two can compute (static-static ECDH of their
 * CA-certified node keys, through HKDF), and a TAGGED_DELTA carries one HMAC-SHA256 tag (16 bytes)
 * per receiver over the sender's own entries. A receiver checks only its own tag, so a member can
 * forge to nobody but itself, and a relay or a holder of the cluster secret to nobody at all. The
 * author's ECDSA seal over the same entries follows later (the next heartbeat) for relaying; see
 * docs/protocol.md ("Tagged deltas"). The same layout, under a tag domain of its own, carries
 * RETURNED bodies: a member handing the author's objects back to it ("Returned objects"). Sending
 * and checking both run on the sync thread; the key cache is thread-safe.
 *
 * <pre>
 * body: sender key id (8) | n (1) | n × (receiver length (1) | receiver (ASCII) | receiver key id (8) | tag (16))
 *       | entries (EntryCodec, length-prefixed) to the end
 * tag:  first 16 bytes of HMAC-SHA256(pair key, "acp sync tag v1\0" ‖ sender ‖ 0x00 ‖ receiver ‖ 0x00
 *       ‖ sender epoch (8) ‖ sender key id (8) ‖ receiver key id (8) ‖ entries)
 * pair key: HKDF-SHA256(ECDH x, salt "acp sync pair v1", info: (node ‖ 0x00 ‖ key id) of both, ordered by node then key id)
 * </pre>
 */
public final class PairTags {

    private static final Logger LOG = Logger.getLogger(PairTags.class);

    /** Receivers one delta is tagged for at most: a larger cluster seals each flush instead. */
    public static final int MAX_TAGS = 16;
    static final int TAG_LENGTH = 16;
    private static final byte[] TAG_DOMAIN = "acp sync tag v1\0".getBytes(StandardCharsets.US_ASCII);
    /** Another domain for RETURNED bodies: a tag made for one kind of body never verifies as the other. */
    private static final byte[] RETURN_DOMAIN = "acp sync return v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAIR_SALT = "acp sync pair v1".getBytes(StandardCharsets.US_ASCII);

    private record PairId(String peer, long peerKeyId) {
    }

    private final NodeSigner signer;
    private final AuthorKeys keys;
    private final OriginCounters counters;
    private final LongSupplier clockMillis;
    private final Map<PairId, SecretKeySpec> pairKeys = new ConcurrentHashMap<>();
    /** The pair key last used with each peer: found by the peer's name alone, with no {@link PairId} made per tag. */
    private final Map<String, LatestPair> latestPair = new ConcurrentHashMap<>();
    private final AtomicLong untagged = new AtomicLong();
    private final Mac mac;
    /** Scratch of {@link #tagInto} (its callers hold this object's lock or own the instance): the MAC and the ids it covers. */
    private final byte[] macOut = new byte[32];
    private final ByteBuffer ids = ByteBuffer.allocate(24);
    /** The entries of the body being packed by {@link #encode} (under this object's lock), reused from flush to flush. */
    private EntryCodec.Buffer chunk = new EntryCodec.Buffer(1024);
    private static final int MAX_KEPT_CHUNK = 256 * 1024;

    /**
     * A peer's current pair key with an HMAC keyed with it once: a {@link Mac} returns to its keyed
     * state after each tag, so a tag costs no key set-up (which copied the key and hashed its pad).
     * Used under this object's lock only.
     */
    private record LatestPair(long keyId, SecretKeySpec key, Mac mac) {
    }

    /** ASCII bytes of node names, made once per name; bounded, so names a peer makes up cannot grow it. */
    private static final Map<String, byte[]> ASCII = new ConcurrentHashMap<>();
    private static final int MAX_ASCII_CACHED = 4096;

    public PairTags(NodeSigner signer, AuthorKeys keys, OriginCounters counters, LongSupplier clockMillis) {
        this.signer = signer;
        this.keys = keys;
        this.counters = counters;
        this.clockMillis = clockMillis;
        this.mac = hmac();
    }

    /** A new HMAC-SHA256 (one per holder: a {@link Mac} is not thread-safe), for the tags of deltas and of seals. */
    static Mac hmac() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from this JDK", e);
        }
    }

    /**
     * The members to tag a delta for, or null when it must be sealed instead: more than
     * {@link #MAX_TAGS} keys, none at all, or an L3 bridge among the members (it relays every
     * entry at once under its author's seal, so it needs the seal at once).
     */
    public List<AuthorKeys.MemberKey> receivers() {
        if (keys.anyBridge()) {
            return null;
        }
        List<AuthorKeys.MemberKey> out = keys.validKeysOfOthers(signer.node(), clockMillis.getAsLong(), MAX_TAGS);
        return out == null || out.isEmpty() ? null : out;
    }

    /**
     * TAGGED_DELTA bodies of this node's entries, each at most {@code maxBody} bytes (an entry
     * larger than that goes alone); an entry with no wire form is logged and left out.
     */
    public synchronized List<byte[]> encode(List<? extends Entry> entries, List<AuthorKeys.MemberKey> receivers, long epoch, int maxBody) {
        return encode(entries, receivers, epoch, maxBody, TAG_DOMAIN, signer.node());
    }

    /**
     * RETURNED bodies (docs/protocol.md, "Returned objects"): objects written by {@code author} that
     * this node holds under a pair tag only, tagged for each of {@code authorKeys} (the author's
     * valid keys) so the author can tell they come from this member. Same layout as a TAGGED_DELTA
     * body, under a tag domain of its own.
     */
    public synchronized List<byte[]> encodeReturned(List<ObjectEntry> entries, List<AuthorKeys.MemberKey> authorKeys, long epoch, int maxBody) {
        if (authorKeys.isEmpty() || authorKeys.stream().map(AuthorKeys.MemberKey::node).distinct().count() != 1) {
            throw new IllegalArgumentException("objects are returned to the keys of one author, not to " + authorKeys);
        }
        return encode(entries, authorKeys, epoch, maxBody, RETURN_DOMAIN, authorKeys.get(0).node());
    }

    private List<byte[]> encode(List<? extends Entry> entries, List<AuthorKeys.MemberKey> receivers, long epoch, int maxBody, byte[] domain,
                                String writer) {
        int tagsLength = 8 + 1;
        for (AuthorKeys.MemberKey r : receivers) {
            tagsLength += 1 + r.node().length() + 8 + TAG_LENGTH;
        }
        List<byte[]> bodies = new ArrayList<>(1);
        EntryCodec.Buffer chunk = this.chunk;
        chunk.reset();
        for (Entry e : entries) {
            if (!SealedEntry.requiredAuthor(e).equals(writer) || !e.node().equals(writer)) {
                throw new IllegalArgumentException("node " + signer.node() + " cannot tag " + e.kind().wireName() + " " + e.key() + " of node " + e.node()
                        + (writer.equals(signer.node()) ? "" : " as node " + writer + "'s"));
            }
            int before = chunk.size();
            try {
                EntryCodec.encodeTo(e, chunk); // straight into the body's entries: no array per entry
            } catch (IllegalArgumentException ex) {
                LOG.warnf("%s %s of node %s cannot be replicated: %s", e.kind().wireName(), e.key(), e.node(), ex.getMessage());
                continue;
            }
            if (before > 0 && tagsLength + chunk.size() > maxBody) {
                bodies.add(body(chunk.array(), before, receivers, epoch, tagsLength, domain));
                chunk.dropBefore(before);
            }
        }
        if (chunk.size() > 0) {
            bodies.add(body(chunk.array(), chunk.size(), receivers, epoch, tagsLength, domain));
        }
        if (chunk.array().length > MAX_KEPT_CHUNK) {
            this.chunk = new EntryCodec.Buffer(1024); // one large flush does not keep its buffer for good
        }
        return bodies;
    }

    private byte[] body(byte[] entries, int length, List<AuthorKeys.MemberKey> receivers, long epoch, int tagsLength, byte[] domain) {
        ByteBuffer b = ByteBuffer.allocate(tagsLength + length);
        b.putLong(signer.keyId());
        b.put((byte) receivers.size());
        for (AuthorKeys.MemberKey r : receivers) {
            b.put((byte) r.node().length());
            b.put(ascii(r.node()));
            b.putLong(r.keyId());
            tagInto(pairMac(r.node(), r.keyId(), r.key()), domain, signer.node(), r.node(), epoch, signer.keyId(), r.keyId(), entries, 0, length);
            b.put(macOut, 0, TAG_LENGTH);
        }
        b.put(entries, 0, length);
        return b.array();
    }

    /**
     * The key id a TAGGED_DELTA body names its sender's key by (its first 8 bytes), without checking
     * anything: what the receiving I/O thread routes it by. Empty if the body is shorter.
     */
    public static OptionalLong senderKeyId(byte[] body) {
        return body.length < Long.BYTES ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(body).getLong());
    }

    /**
     * Checks a TAGGED_DELTA from {@code sender} (as its authenticated header names it, in its epoch)
     * and decodes its entries, each the sender's own. A body with no tag for this node's key is
     * ignored and counted ({@link #untagged()}: the sender does not know this node's certificate
     * yet; the sealed copy brings the entries); a bad tag, an unknown or revoked sender key refuses
     * the whole body; an entry not the sender's own, or a certificate meta (only ever sealed), is
     * refused alone. Refusals are counted and logged.
     *
     * @return the entries to merge (no seal and no copy of their bytes: the tag proved their author,
     *         and nothing relays them in this form), or empty if refused
     * @throws IllegalArgumentException if the body is cut short or inconsistent
     */
    public synchronized Optional<List<Entry>> open(String sender, long senderEpoch, byte[] body) {
        return open(sender, senderEpoch, body, TAG_DOMAIN);
    }

    /**
     * Checks a RETURNED body from member {@code sender} as {@link #open} checks a tagged delta, and
     * decodes its entries: objects written by this node, which the sender held under this node's
     * pair tag only. Anything else in it (another node's entry, meta, stats) is refused alone.
     */
    public synchronized Optional<List<Entry>> openReturned(String sender, long senderEpoch, byte[] body) {
        return open(sender, senderEpoch, body, RETURN_DOMAIN);
    }

    private Optional<List<Entry>> open(String sender, long senderEpoch, byte[] body, byte[] domain) {
        boolean returned = domain == RETURN_DOMAIN;
        ByteBuffer b = ByteBuffer.wrap(body);
        int mine = -1; // where this node's tag starts in the body
        long senderKeyId;
        int entriesStart;
        byte[] self = ascii(signer.node());
        long selfKeyId = signer.keyId();
        try {
            senderKeyId = b.getLong();
            int n = b.get() & 0xFF;
            for (int i = 0; i < n; i++) {
                int nameLength = b.get() & 0xFF;
                int name = b.position();
                b.position(name + nameLength);
                long keyId = b.getLong();
                int tag = b.position();
                b.position(tag + TAG_LENGTH);
                if (keyId == selfKeyId && Arrays.equals(body, name, name + nameLength, self, 0, self.length)) {
                    mine = tag;
                }
            }
            entriesStart = b.position();
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tagged delta of node " + sender + " is cut short in its tags");
        }
        if (mine < 0) {
            untagged.incrementAndGet();
            return Optional.empty();
        }
        AuthorKeys.Lookup key = keys.key(sender, senderKeyId, clockMillis.getAsLong());
        if (key.problem() == AuthorKeys.Problem.UNKNOWN) {
            counters.refused(Refusal.UNKNOWN_AUTHOR, sender, what(body, entriesStart, returned), "no certificate of node " + sender + " with key "
                    + Long.toHexString(senderKeyId) + " is known here yet");
            return Optional.empty();
        }
        if (key.problem() != null) {
            counters.refused(Refusal.REVOKED, sender, what(body, entriesStart, returned), "the certificate of node " + sender + " (serial "
                    + key.certificate().getSerialNumber().toString(16) + ") is " + key.problem().name().toLowerCase(java.util.Locale.ROOT));
            return Optional.empty();
        }
        tagInto(pairMac(sender, senderKeyId, key.key()), domain, sender, signer.node(), senderEpoch, senderKeyId, selfKeyId, body, entriesStart,
                body.length - entriesStart);
        if (!equalInConstantTime(macOut, body, mine, TAG_LENGTH)) {
            counters.refused(Refusal.BAD_TAG, sender, what(body, entriesStart, returned), "its tag for node " + signer.node()
                    + " does not verify under the pair key of " + sender + " and " + signer.node());
            return Optional.empty();
        }
        List<Entry> out = new ArrayList<>();
        try {
            while (b.hasRemaining()) {
                Entry e = EntryCodec.decodeOne(b);
                if (returned) {
                    if (!(e instanceof ObjectEntry) || !SealedEntry.requiredAuthor(e).equals(signer.node())) {
                        counters.refused(Refusal.NOT_AUTHOR, sender, OriginCheck.describe(e), "objects returned by " + sender + " to node "
                                + signer.node() + " carry an entry written by node " + SealedEntry.requiredAuthor(e) + ": only this node's own objects come back");
                        continue;
                    }
                    counters.verified();
                    out.add(e);
                    continue;
                }
                if (!e.node().equals(sender) || !SealedEntry.requiredAuthor(e).equals(sender)) {
                    counters.refused(Refusal.NOT_SENDER, sender, OriginCheck.describe(e), "a tagged delta from " + sender
                            + " carries an entry written by node " + SealedEntry.requiredAuthor(e));
                    continue;
                }
                if (CertificateMeta.isCertificateMeta(e)) {
                    counters.refused(Refusal.UNSIGNED, sender, OriginCheck.describe(e), "a certificate travels only under its node's seal");
                    continue;
                }
                counters.verified();
                out.add(e);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("tagged delta of node " + sender + " is cut short in its entries");
        }
        return Optional.of(out);
    }

    private static String what(byte[] body, int entriesStart, boolean returned) {
        return (returned ? "returned objects of " : "a tagged delta of ") + (body.length - entriesStart) + " entry bytes";
    }

    /** Whether the first {@code n} bytes of {@code a} equal {@code n} bytes of {@code b} at {@code off}, in time independent of where they differ. */
    private static boolean equalInConstantTime(byte[] a, byte[] b, int off, int n) {
        int diff = 0;
        for (int i = 0; i < n; i++) {
            diff |= a[i] ^ b[off + i];
        }
        return diff == 0;
    }

    /** Tagged deltas that carried no tag for this node's key (ignored: the sender does not know it yet). */
    public long untagged() {
        return untagged.get();
    }

    SecretKeySpec pairKey(String peer, long peerKeyId, AuthorKeys.MemberKey peerKey) {
        return pairKey(peer, peerKeyId, peerKey.key());
    }

    SecretKeySpec pairKey(String peer, long peerKeyId, ECPublicKeyParameters peerKey) {
        PairId pair = new PairId(peer, peerKeyId);
        SecretKeySpec known = pairKeys.get(pair); // no capturing lambda unless the key is new
        return known != null ? known : pairKeys.computeIfAbsent(pair, id -> derive(peer, peerKeyId, peerKey));
    }

    /** An HMAC keyed with the pair key of {@code peer}'s key {@code peerKeyId}; call under this object's lock. */
    private Mac pairMac(String peer, long peerKeyId, ECPublicKeyParameters peerKey) {
        LatestPair latest = latestPair.get(peer); // asked per tag: no lambda, no PairId unless the peer's key changed
        if (latest != null && latest.keyId() == peerKeyId) {
            return latest.mac();
        }
        SecretKeySpec k = pairKey(peer, peerKeyId, peerKey);
        Mac m = hmac();
        try {
            m.init(k);
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException("pair key of " + signer.node() + " and " + peer + " refused by HmacSHA256", e);
        }
        latestPair.put(peer, new LatestPair(peerKeyId, k, m));
        return m;
    }

    private SecretKeySpec derive(String peer, long peerKeyId, ECPublicKeyParameters peerKey) {
        byte[] shared = signer.agree(peerKey);
        boolean selfFirst = signer.node().compareTo(peer) < 0 || (signer.node().equals(peer) && signer.keyId() < peerKeyId);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        writeParty(info, selfFirst ? signer.node() : peer, selfFirst ? signer.keyId() : peerKeyId);
        writeParty(info, selfFirst ? peer : signer.node(), selfFirst ? peerKeyId : signer.keyId());
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, PAIR_SALT, info.toByteArray()));
        byte[] k = new byte[32];
        hkdf.generateBytes(k, 0, k.length);
        Arrays.fill(shared, (byte) 0);
        return new SecretKeySpec(k, "HmacSHA256");
    }

    private static void writeParty(ByteArrayOutputStream out, String node, long keyId) {
        out.writeBytes(node.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(8).putLong(keyId).array());
    }

    byte[] tag(SecretKeySpec key, String sender, String receiver, long epoch, long senderKeyId, long receiverKeyId,
                       byte[] entries, int from, int length) {
        try {
            mac.init(key);
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException("pair key of " + sender + " and " + receiver + " refused by HmacSHA256", e);
        }
        tagInto(mac, TAG_DOMAIN, sender, receiver, epoch, senderKeyId, receiverKeyId, entries, from, length);
        return Arrays.copyOf(macOut, TAG_LENGTH);
    }

    /** {@link #tag} in the domain of RETURNED bodies: what a member tags objects it returns with (for tests that build such bodies). */
    byte[] returnTag(SecretKeySpec key, String sender, String receiver, long epoch, long senderKeyId, long receiverKeyId, byte[] entries) {
        try {
            mac.init(key);
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException("pair key of " + sender + " and " + receiver + " refused by HmacSHA256", e);
        }
        tagInto(mac, RETURN_DOMAIN, sender, receiver, epoch, senderKeyId, receiverKeyId, entries, 0, entries.length);
        return Arrays.copyOf(macOut, TAG_LENGTH);
    }

    /** {@link #tag} with {@code keyed} (an HMAC keyed with the pair key) left in {@link #macOut} (its first {@value #TAG_LENGTH} bytes), with no array made per tag. */
    private void tagInto(Mac keyed, byte[] domain, String sender, String receiver, long epoch, long senderKeyId, long receiverKeyId,
                         byte[] entries, int from, int length) {
        keyed.reset(); // nothing if the last tag ended (the usual case); else what a failed one left is dropped
        keyed.update(domain);
        keyed.update(ascii(sender));
        keyed.update((byte) 0);
        keyed.update(ascii(receiver));
        keyed.update((byte) 0);
        ids.clear();
        keyed.update(ids.putLong(epoch).putLong(senderKeyId).putLong(receiverKeyId).array());
        keyed.update(entries, from, length);
        try {
            keyed.doFinal(macOut, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException("HmacSHA256 output is 32 bytes", e);
        }
    }

    /** The ASCII bytes of a node name (node names are ASCII); callers only read them. */
    static byte[] ascii(String name) {
        byte[] known = ASCII.get(name);
        if (known != null) {
            return known;
        }
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (ASCII.size() >= MAX_ASCII_CACHED) {
            ASCII.clear();
        }
        ASCII.put(name, b);
        return b;
    }

    /**
     * Starts a pair tag: {@code mac} keyed with the pair key, then the tag's domain (which message
     * kind it vouches for, so a tag of one kind never passes as another) and both node names, each
     * ended by a zero byte. Shared by the tags of deltas and of seals ({@link SealTags}).
     */
    static void begin(Mac mac, SecretKeySpec key, byte[] domain, String sender, String receiver) {
        try {
            mac.init(key);
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException("pair key of " + sender + " and " + receiver + " refused by HmacSHA256", e);
        }
        mac.update(domain);
        mac.update(ascii(sender));
        mac.update((byte) 0);
        mac.update(ascii(receiver));
        mac.update((byte) 0);
    }
}
