package io.acp.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The node's one key and certificate as a TLS key manager, made straight from its PEM files.
 *
 * <p>Why not a key store: Vert.x's {@code PemKeyCertOptions} (and a {@code KeyManagerFactory} over
 * a PKCS12 store) put the key into an in-memory PKCS12 store, which encrypts it with PBKDF2 at
 * 10,000 iterations only to decrypt it again: 0.3–0.5 s of a node's start per listener or client,
 * for a key that is in memory either way.
 *
 * <p>It offers the key for a key type the way the JDK's SunX509 key manager does: the type names
 * the key's algorithm ({@code EC}, {@code RSA}), optionally followed by {@code _} and the
 * algorithm the certificate must be signed with (TLS 1.2's {@code EC_EC}, {@code RSA_RSA}). It
 * offers it whatever issuers the peer names: the peer checks the chain against its own trust.
 */
public final class NodeKeyManager extends X509ExtendedKeyManager {

    /** The one alias: TLS stacks ask for a key and a chain by it. */
    static final String ALIAS = "node";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    private NodeKeyManager(PrivateKey key, X509Certificate[] chain) {
        this.key = key;
        this.chain = chain;
    }

    /** The node's key and certificate from {@code pki/}; the certificate must be for the key (checked). */
    public static NodeKeyManager read(PkiFiles files) {
        return of(Pem.readPrivateKey(files.nodeKey()), Pem.readCertificate(files.nodeCertificate()));
    }

    /** A key manager for {@code key}, presenting {@code certificate}; refused if the certificate is for another key. */
    public static NodeKeyManager of(PrivateKey key, X509Certificate certificate) {
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            throw new IllegalArgumentException("the certificate of " + certificate.getSubjectX500Principal().getName() + " holds a "
                    + certificate.getPublicKey().getAlgorithm() + " key, but the private key is " + key.getAlgorithm());
        }
        return new NodeKeyManager(key, new X509Certificate[] {certificate});
    }

    /** Whether the key fits a key type as TLS names it ("EC", "RSA", "EC_EC", "RSA_EC", …). */
    boolean fits(String keyType) {
        if (keyType == null) {
            return false;
        }
        String keyAlgorithm = keyType;
        String signedWith = null;
        int underscore = keyType.indexOf('_');
        if (underscore >= 0) {
            keyAlgorithm = keyType.substring(0, underscore);
            signedWith = keyType.substring(underscore + 1);
        }
        if (!keyAlgorithm.equals(key.getAlgorithm())) {
            return false;
        }
        // "SHA256withECDSA" is signed with EC, "SHA256withRSA" with RSA.
        return signedWith == null || chain[0].getSigAlgName().toUpperCase(Locale.ROOT).contains("WITH" + signedWith);
    }

    private String aliasFor(String keyType) {
        return fits(keyType) ? ALIAS : null;
    }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes != null) {
            for (String t : keyTypes) {
                if (fits(t)) {
                    return ALIAS;
                }
            }
        }
        return null;
    }

    private String[] aliasesFor(String keyType) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasesFor(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasesFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
