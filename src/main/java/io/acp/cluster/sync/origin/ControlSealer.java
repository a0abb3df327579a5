package io.acp.cluster.sync.origin;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Makes this node's HEARTBEAT and PULL bodies provable as its own ({@link ControlFormat}): a
 * heartbeat reveals the next value of a hash chain whose anchor the node key signed (one signature
 * per {@value ControlFormat#SEGMENT} heartbeats), a pull is signed whole (one signature per pull).
 * With the cluster secret alone nobody can make this node look alive, move its address, or pull
 * in its name. Thread-safe.
 */
public final class ControlSealer {

    private final NodeSigner signer;
    private final long epoch;
    private final InetSocketAddress address;
    private final MessageDigest digest = Merkle.sha256();
    private final SecureRandom random;
    private byte[][] chain; // chain[0] the anchor, chain[i] = step(chain[i+1])
    private int segment = -1;
    private int index = ControlFormat.SEGMENT; // the last value revealed
    private byte[] anchorSignature;
    private long pullCounter;

    /** @param address where this node's datagrams come from (its unicast address), signed into every heartbeat */
    public ControlSealer(NodeSigner signer, long epoch, InetSocketAddress address) {
        this(signer, epoch, address, new SecureRandom());
    }

    /**
     * @param random the source of the hash chains' seeds: a strong {@link SecureRandom} (the sync
     *               environment's); only a simulation passes a seeded one, to replay a run exactly
     */
    public ControlSealer(NodeSigner signer, long epoch, InetSocketAddress address, SecureRandom random) {
        this.signer = signer;
        this.epoch = epoch;
        this.address = address;
        this.random = random;
    }

    /** The heartbeat body: {@code digestPart} (the 12-byte digest announcement) and its proof. */
    public synchronized byte[] heartbeat(byte[] digestPart) {
        if (digestPart.length != ControlFormat.DIGEST_LENGTH) {
            throw new IllegalArgumentException("heartbeat digest part has " + digestPart.length + " bytes");
        }
        if (index == ControlFormat.SEGMENT) {
            newSegment();
        }
        index++;
        ByteBuffer b = ByteBuffer.allocate(ControlFormat.DIGEST_LENGTH + 8 + 4 + 2 + 2 * ControlFormat.VALUE_LENGTH
                + ControlFormat.addressLength(address) + EcdsaP256.SIGNATURE_LENGTH);
        b.put(digestPart);
        b.putLong(signer.keyId());
        b.putInt(segment);
        b.putShort((short) index);
        b.put(chain[index]);
        b.put(chain[0]);
        ControlFormat.putAddress(b, address);
        b.put(anchorSignature);
        return b.array();
    }

    private void newSegment() {
        segment++;
        chain = new byte[ControlFormat.SEGMENT + 1][];
        byte[] seed = new byte[ControlFormat.VALUE_LENGTH];
        random.nextBytes(seed);
        chain[ControlFormat.SEGMENT] = seed;
        for (int i = ControlFormat.SEGMENT - 1; i >= 0; i--) {
            chain[i] = ControlFormat.chainStep(digest, chain[i + 1]);
        }
        anchorSignature = signer.signDigest(ControlFormat.anchorDigest(digest, signer.node(), epoch, signer.keyId(), segment, chain[0], address));
        index = 0;
    }

    /**
     * The PULL body for {@code target}: the bucket hashes, signed with a counter that grows with
     * every pull and is this node's wall clock in milliseconds when that is larger (so a receiver
     * can refuse a pull from the past even after it restarted).
     */
    public synchronized byte[] pull(byte[] buckets, String target, long nowMillis) {
        pullCounter = Math.max(pullCounter + 1, nowMillis);
        byte[] sig = signer.signDigest(ControlFormat.pullDigest(digest, signer.node(), target, epoch, signer.keyId(), pullCounter, buckets));
        return ByteBuffer.allocate(buckets.length + 16 + EcdsaP256.SIGNATURE_LENGTH)
                .put(buckets)
                .putLong(signer.keyId())
                .putLong(pullCounter)
                .put(sig)
                .array();
    }
}
