package io.acp.cluster.sync.origin;

import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Checks that a HEARTBEAT or PULL comes from the node it names ({@link ControlFormat}), before it
 * may change membership, a peer's address, the digest a peer announced, or make this node answer a
 * pull. Refusals are counted and logged by {@link OriginCounters} under the rules of entries
 * ({@code unknown-author}, {@code revoked}, {@code bad-signature}) and {@code stale}. Not
 * thread-safe: the sync thread.
 */
public final class ControlCheck {

    /** A verified heartbeat: the digest part it announces and the sender's signed unicast address. */
    public record Heartbeat(byte[] digestPart, InetSocketAddress address) {
    }

    /** The last verified heartbeat of a sender, and what its anchor's signature covered. */
    private record Chain(long epoch, int segment, int index, byte[] value, long keyId, byte[] anchor, InetSocketAddress address) {
    }

    private record PullMark(long epoch, long counter) {
    }

    /**
     * Where a check's refusals go: counted and logged (and an unknown key answered), or nowhere, for
     * a heartbeat the replay window already dropped and counted.
     */
    private interface Refusals {
        void refused(Refusal rule, String sender, String what, String detail);

        void unknownAuthor(String sender);
    }

    private static final Refusals QUIET = new Refusals() {
        @Override
        public void refused(Refusal rule, String sender, String what, String detail) {
        }

        @Override
        public void unknownAuthor(String sender) {
        }
    };

    private final AuthorKeys keys;
    private final String self;
    private final LongSupplier clockMillis;
    private final long pullWindowMillis;
    private final Refusals counted;
    private final MessageDigest digest = Merkle.sha256();
    private final Map<String, Chain> chains = new HashMap<>();
    private final Map<String, PullMark> pulls = new HashMap<>();
    private long signaturesVerified;

    /**
     * @param pullWindowMillis how far a pull's date may be from this node's clock (the clock bound)
     * @param unknownAuthor    called with the sender when its key is not known here (e.g. to re-send
     *                         this node's own certificate: the sender probably lacks it as well)
     */
    public ControlCheck(AuthorKeys keys, OriginCounters counters, String self, LongSupplier clockMillis, long pullWindowMillis,
            Consumer<String> unknownAuthor) {
        this.keys = keys;
        this.self = self;
        this.clockMillis = clockMillis;
        this.pullWindowMillis = pullWindowMillis;
        this.counted = new Refusals() {
            @Override
            public void refused(Refusal rule, String sender, String what, String detail) {
                counters.refused(rule, sender, what, detail);
            }

            @Override
            public void unknownAuthor(String sender) {
                unknownAuthor.accept(sender);
            }
        };
    }

    /**
     * The key id a HEARTBEAT body names its sender's key by, without checking anything: what the
     * receiving I/O thread routes it by. Empty if the body is shorter.
     */
    public static OptionalLong heartbeatKeyId(byte[] body) {
        int at = ControlFormat.DIGEST_LENGTH;
        return body.length < at + Long.BYTES ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(body, at, Long.BYTES).getLong());
    }

    /**
     * The heartbeat of {@code sender} in {@code epoch} (the authenticated datagram header's), if it
     * proves itself; else empty, counted and logged.
     *
     * @throws IllegalArgumentException if the body is malformed
     */
    public Optional<Heartbeat> heartbeat(String sender, long epoch, byte[] body) {
        return heartbeat(sender, epoch, body, counted);
    }

    /**
     * A heartbeat the replay window refused ({@code Opened.pastWindow}), if it proves itself fresh
     * against the chain this node already verified for {@code sender} in this very epoch: its next
     * values (or the signed anchor of a later segment). The window can be pushed past a member's
     * real sequence or epoch by anyone holding the cluster secret; the chain cannot. Anything else
     * is refused quietly, as the window's drop is already counted: a replay, or a heartbeat of a
     * sender whose chain this node does not know (after its own restart, or another epoch).
     *
     * @throws IllegalArgumentException if the body is malformed
     */
    public Optional<Heartbeat> heartbeatPastWindow(String sender, long epoch, byte[] body) {
        Chain known = chains.get(sender);
        if (known == null || known.epoch() != epoch) {
            return Optional.empty();
        }
        return heartbeat(sender, epoch, body, QUIET);
    }

    private Optional<Heartbeat> heartbeat(String sender, long epoch, byte[] body, Refusals refusals) {
        ByteBuffer b = ByteBuffer.wrap(body);
        byte[] digestPart = new byte[ControlFormat.DIGEST_LENGTH];
        long keyId;
        int segment;
        int index;
        byte[] value = new byte[ControlFormat.VALUE_LENGTH];
        byte[] anchor = new byte[ControlFormat.VALUE_LENGTH];
        InetSocketAddress address;
        byte[] signature = new byte[EcdsaP256.SIGNATURE_LENGTH];
        try {
            b.get(digestPart);
            keyId = b.getLong();
            segment = b.getInt();
            index = b.getShort() & 0xFFFF;
            b.get(value);
            b.get(anchor);
            address = ControlFormat.getAddress(b);
            b.get(signature);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("heartbeat of " + sender + " is cut short (" + body.length + " bytes)");
        }
        if (index < 1 || index > ControlFormat.SEGMENT) {
            throw new IllegalArgumentException("heartbeat of " + sender + " has chain index " + index);
        }
        String what = "a heartbeat (epoch " + epoch + ", chain " + segment + "/" + index + ")";
        Chain known = chains.get(sender);
        if (known != null && known.epoch() == epoch && known.segment() == segment) {
            if (keyId != known.keyId() || !Arrays.equals(anchor, known.anchor()) || !address.equals(known.address())) {
                return refuse(refusals, Refusal.BAD_SIGNATURE, sender, what, "its anchor, key or address is not the one node " + sender + " signed for this chain");
            }
            if (index <= known.index()) {
                return refuse(refusals, Refusal.STALE, sender, what, "chain value " + index + " of node " + sender + " was already revealed (last verified " + known.index() + ")");
            }
            if (!Arrays.equals(climb(value, index - known.index()), known.value())) {
                return refuse(refusals, Refusal.BAD_SIGNATURE, sender, what, "its chain value does not lead to the last one node " + sender + " revealed");
            }
        } else {
            if (known != null && (epoch < known.epoch() || (epoch == known.epoch() && segment < known.segment()))) {
                return refuse(refusals, Refusal.STALE, sender, what, "node " + sender + " is already at epoch " + known.epoch() + ", chain " + known.segment());
            }
            if (!Arrays.equals(climb(value, index), anchor)) {
                return refuse(refusals, Refusal.BAD_SIGNATURE, sender, what, "its chain value does not lead to its anchor");
            }
            Optional<Heartbeat> refused = checkSignature(refusals, sender, keyId, what,
                    ControlFormat.anchorDigest(digest, sender, epoch, keyId, segment, anchor, address), signature);
            if (refused != null) {
                return refused;
            }
        }
        chains.put(sender, new Chain(epoch, segment, index, value, keyId, anchor, address));
        return Optional.of(new Heartbeat(digestPart, address));
    }

    /**
     * The bucket hashes of a PULL from {@code sender} to this node, if it proves itself; else
     * empty, counted and logged.
     *
     * @throws IllegalArgumentException if the body is too short to hold a signature
     */
    public Optional<byte[]> pull(String sender, long epoch, byte[] body) {
        int trailer = 16 + EcdsaP256.SIGNATURE_LENGTH;
        if (body.length < trailer) {
            throw new IllegalArgumentException("pull of " + sender + " has " + body.length + " bytes, too short to be signed");
        }
        ByteBuffer b = ByteBuffer.wrap(body, body.length - trailer, trailer);
        long keyId = b.getLong();
        long counter = b.getLong();
        byte[] signature = new byte[EcdsaP256.SIGNATURE_LENGTH];
        b.get(signature);
        byte[] buckets = Arrays.copyOf(body, body.length - trailer);
        String what = "a pull (epoch " + epoch + ", counter " + counter + ")";
        PullMark last = pulls.get(sender);
        if (last != null && (epoch < last.epoch() || (epoch == last.epoch() && counter <= last.counter()))) {
            return refuse(counted, Refusal.STALE, sender, what, "node " + sender + " already pulled with counter " + last.counter() + " in epoch " + last.epoch());
        }
        long skew = Math.abs(counter - clockMillis.getAsLong());
        if (skew > pullWindowMillis) {
            return refuse(counted, Refusal.STALE, sender, what, "it is dated " + skew + " ms from this node's clock, beyond the bound of " + pullWindowMillis + " ms");
        }
        Optional<byte[]> refused = checkSignature(counted, sender, keyId, what, ControlFormat.pullDigest(digest, sender, self, epoch, keyId, counter, buckets), signature);
        if (refused != null) {
            return refused;
        }
        pulls.put(sender, new PullMark(epoch, counter));
        return Optional.of(buckets);
    }

    /** Null if the signature is the sender's; else the refusal, told to {@code refusals}. */
    private <T> Optional<T> checkSignature(Refusals refusals, String sender, long keyId, String what, byte[] signedDigest, byte[] signature) {
        AuthorKeys.Lookup key = keys.key(sender, keyId, clockMillis.getAsLong());
        if (key.problem() == AuthorKeys.Problem.UNKNOWN) {
            refusals.unknownAuthor(sender);
            return refuse(refusals, Refusal.UNKNOWN_AUTHOR, sender, what, "no certificate of node " + sender + " with key " + Long.toHexString(keyId) + " is known here yet");
        }
        if (key.problem() != null) {
            return refuse(refusals, Refusal.REVOKED, sender, what, "the certificate of node " + sender + " (serial "
                    + key.certificate().getSerialNumber().toString(16) + ") is " + key.problem().name().toLowerCase(java.util.Locale.ROOT));
        }
        signaturesVerified++;
        if (!EcdsaP256.verify(key.key(), signedDigest, signature)) {
            return refuse(refusals, Refusal.BAD_SIGNATURE, sender, what, "its signature does not verify under the key of node " + sender);
        }
        return null;
    }

    private byte[] climb(byte[] value, int steps) {
        byte[] v = value;
        for (int i = 0; i < steps; i++) {
            v = ControlFormat.chainStep(digest, v);
        }
        return v;
    }

    private static <T> Optional<T> refuse(Refusals refusals, Refusal rule, String sender, String what, String detail) {
        refusals.refused(rule, sender, what, detail);
        return Optional.empty();
    }

    /** ECDSA verifications of control messages (anchors and pulls); chained heartbeats cost a hash. */
    public long signaturesVerified() {
        return signaturesVerified;
    }
}
