package io.acp.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM text of certificates and private keys (PKCS#8 written; PKCS#8 and SEC1 read). */
public final class Pem {

    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";
    /** The key algorithms a node's or CA's key may have, the one ACP makes first. */
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    private Pem() {
    }

    public static String encode(Object certificateOrKey) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(certificateOrKey instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
                    : certificateOrKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PEM", e);
        }
        return out.toString();
    }

    /**
     * Certificates are read by the JDK's own X.509 factory, which takes PEM as is: an agent start
     * reads three of them, and BouncyCastle's parser costs a few hundred ms of class loading there.
     */
    public static X509Certificate readCertificate(Path file) {
        try {
            // Read whole first: the JDK's factory reads a stream one byte per call, which on a file's
            // channel is one system call per byte.
            return certificate(new ByteArrayInputStream(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds no PEM certificate: " + e.getMessage(), e);
        }
    }

    /** A certificate from PEM text (e.g. received in a join answer). */
    public static X509Certificate parseCertificate(String pem) {
        if (!pem.strip().startsWith("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("not a PEM certificate");
        }
        try {
            return certificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(InputStream in) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }

    /**
     * A private key from PEM. PKCS#8 (what {@link #encode} writes) is read by the JDK's key
     * factories, as a node's start reads its key and BouncyCastle's parser costs a few hundred ms
     * of class loading there; SEC1 ({@code EC PRIVATE KEY}) goes through BouncyCastle.
     */
    public static PrivateKey readPrivateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int begin = text.indexOf(PKCS8_BEGIN);
        int end = text.indexOf(PKCS8_END);
        if (begin >= 0 && end > begin) {
            return pkcs8(file, text.substring(begin + PKCS8_BEGIN.length(), end));
        }
        return readWithBouncyCastle(file);
    }

    private static PrivateKey pkcs8(Path file, String base64) {
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " holds no PEM private key: " + e.getMessage(), e);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException notThisOne) {
                // the next algorithm
            }
        }
        throw new IllegalArgumentException(file + " holds a PKCS#8 private key of none of the algorithms " + KEY_ALGORITHMS);
    }

    private static PrivateKey readWithBouncyCastle(Path file) {
        Object o = read(file);
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + " holds no PEM private key");
    }

    private static Object read(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (o == null) {
                throw new IllegalArgumentException(file + " holds no PEM object");
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
