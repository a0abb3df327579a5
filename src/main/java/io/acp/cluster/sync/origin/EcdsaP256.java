package io.acp.cluster.sync.origin;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * ECDSA over P-256 with the node keys the cluster CA certifies, through Bouncy Castle's
 * lightweight API on its specialised P-256 curve: measured about ten times faster to verify than
 * the JDK 17 provider on the same keys, which is what lets every node verify every sender's
 * batches at 128 nodes (docs/benchmarks.md, "Cluster sync"). Nonces are deterministic (RFC 6979),
 * so signing needs no random source. Signatures are r ‖ s, 32 bytes each.
 */
final class EcdsaP256 {

    static final int SIGNATURE_LENGTH = 64;

    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());

    private EcdsaP256() {
    }

    static ECPrivateKeyParameters privateKey(PrivateKey key) {
        if (!(key instanceof ECPrivateKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException("the node key is not an EC P-256 key (" + key.getAlgorithm() + ")");
        }
        return new ECPrivateKeyParameters(ec.getS(), DOMAIN);
    }

    static ECPublicKeyParameters publicKey(PublicKey key) {
        if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException("the certificate's key is not an EC P-256 key (" + key.getAlgorithm() + ")");
        }
        return new ECPublicKeyParameters(CURVE.getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY()), DOMAIN);
    }

    /** Signs a 32-byte digest. Thread-safe: a signer per call (it is cheap to make). */
    static byte[] sign(ECPrivateKeyParameters key, byte[] digest) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, key);
        BigInteger[] rs = signer.generateSignature(digest);
        return ByteBuffer.allocate(SIGNATURE_LENGTH).put(fixed(rs[0])).put(fixed(rs[1])).array();
    }

    static boolean verify(ECPublicKeyParameters key, byte[] digest, byte[] signature) {
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, key);
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        return verifier.verifySignature(digest, r, s);
    }

    private static byte[] fixed(BigInteger v) {
        byte[] b = v.toByteArray();
        if (b.length == 32) {
            return b;
        }
        byte[] out = new byte[32];
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }
}
