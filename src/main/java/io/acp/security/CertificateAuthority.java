package io.acp.security;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster CA: an ECDSA P-256 key and its self-signed certificate. It signs two kinds of
 * certificate: node certificates, which carry the node id as a DNS name and a
 * {@code urn:acp:node:<id>} URI in the SAN and may serve and authenticate as clients (mutual TLS
 * between nodes), and operator certificates, which carry {@code urn:acp:operator:<name>} and
 * {@code urn:acp:role:<role>} URIs and the client usage only, so a person's certificate can never
 * serve as an agent. It also signs revocations ({@link Revocation}).
 */
public final class CertificateAuthority {

    /** Node certificates live at most this long (docs/security.md: renew before). */
    public static final Duration MAX_NODE_VALIDITY = Duration.ofDays(365);
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final String NODE_URI_PREFIX = "urn:acp:node:";
    static final String OPERATOR_URI_PREFIX = "urn:acp:operator:";
    static final String ROLE_URI_PREFIX = "urn:acp:role:";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey key;
    private final X509Certificate certificate;

    public CertificateAuthority(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** A new CA named after the cluster, valid ten years from now. */
    public static CertificateAuthority create(String clusterName) {
        return create(clusterName, RANDOM, Instant.now());
    }

    /**
     * A new CA valid ten years from {@code now}, its key, serial and signature drawn from
     * {@code random}. Production passes the strong default ({@link #create(String)}); only a
     * simulation passes a seeded random and a virtual time, so its PKI replays exactly.
     */
    public static CertificateAuthority create(String clusterName, SecureRandom random, Instant now) {
        KeyPair pair = newKeyPair(random);
        X500Name name = new X500Name("CN=acp cluster CA " + clusterName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(random), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair.getPrivate(), sign(b, pair.getPrivate(), random));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot create the cluster CA: " + e.getMessage(), e);
        }
    }

    /** A fresh ECDSA P-256 key pair (each node makes its own). */
    public static KeyPair newKeyPair() {
        return newKeyPair(RANDOM);
    }

    /** An ECDSA P-256 key pair drawn from {@code random} (a seeded one only in a simulation). */
    public static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make EC P-256 keys", e);
        }
    }

    /** Issues a node certificate for {@code nodeId} valid from {@code notBefore} to {@code notAfter}. */
    public X509Certificate issueNode(String nodeId, PublicKey nodeKey, Instant notBefore, Instant notAfter) {
        return issueNode(nodeId, nodeKey, notBefore, notAfter, RANDOM);
    }

    /** As {@link #issueNode(String, PublicKey, Instant, Instant)}, the serial and signature drawn from {@code random}. */
    public X509Certificate issueNode(String nodeId, PublicKey nodeKey, Instant notBefore, Instant notAfter, SecureRandom random) {
        if (Duration.between(notBefore, notAfter).compareTo(MAX_NODE_VALIDITY) > 0) {
            throw new IllegalArgumentException("a node certificate is valid at most " + MAX_NODE_VALIDITY.toDays() + " days");
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(random), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=" + nodeId), nodeKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, nodeId),
                        new GeneralName(GeneralName.uniformResourceIdentifier, NODE_URI_PREFIX + nodeId)}))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(nodeKey));
            return sign(b, key, random);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot issue a certificate for node " + nodeId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Issues an operator's certificate for {@code name} with {@code role}: client usage only, no
     * node URI, so agents and joiners refuse it as a server and it is never a node identity.
     */
    public X509Certificate issueOperator(String name, String role, PublicKey operatorKey, Duration validity) {
        if (validity.compareTo(MAX_NODE_VALIDITY) > 0) {
            throw new IllegalArgumentException("an operator certificate is valid at most " + MAX_NODE_VALIDITY.toDays() + " days");
        }
        Instant from = Instant.now().minusSeconds(60);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(RANDOM), Date.from(from), Date.from(from.plus(validity)),
                    new X500Name("CN=" + name), operatorKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.uniformResourceIdentifier, OPERATOR_URI_PREFIX + name),
                        new GeneralName(GeneralName.uniformResourceIdentifier, ROLE_URI_PREFIX + role)}))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(operatorKey));
            return sign(b, key, RANDOM);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot issue a certificate for operator " + name + ": " + e.getMessage(), e);
        }
    }

    /** SHA256withECDSA signature of {@code data} with the CA key (revocations). */
    byte[] signData(byte[] data) {
        try {
            java.security.Signature s = java.security.Signature.getInstance(SIGNATURE);
            s.initSign(key, RANDOM);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the cluster CA key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} over {@code data} was made by the key of the CA certificate {@code ca}. */
    static boolean verifyData(X509Certificate ca, byte[] data, byte[] signature) {
        try {
            java.security.Signature s = java.security.Signature.getInstance(SIGNATURE);
            s.initVerify(ca.getPublicKey());
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Issues a node certificate valid for {@code validity} from now (at most a year). */
    public X509Certificate issueNode(String nodeId, PublicKey nodeKey, Duration validity) {
        // A minute of slack for clocks that lag the CA's; the validity counts from there.
        Instant from = Instant.now().minusSeconds(60);
        return issueNode(nodeId, nodeKey, from, from.plus(validity));
    }

    /**
     * Issues a node certificate valid for {@code validity} that starts no earlier than
     * {@code notEarlierThan}: a replacement must start after the revocation of the identity it
     * replaces, or that revocation would cover it too.
     */
    public X509Certificate issueNodeAfter(String nodeId, PublicKey nodeKey, Duration validity, Instant notEarlierThan) {
        Instant from = Instant.now().minusSeconds(60);
        if (from.isBefore(notEarlierThan)) {
            from = notEarlierThan;
        }
        return issueNode(nodeId, nodeKey, from, from.plus(validity));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    PrivateKey key() {
        return key;
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer, SecureRandom random) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).setSecureRandom(random).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
