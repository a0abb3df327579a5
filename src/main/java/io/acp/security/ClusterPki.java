package io.acp.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * Creates and checks a node's cluster PKI files ({@link PkiFiles}). Blocking: call on a worker.
 */
public final class ClusterPki {

    private static final Logger LOG = Logger.getLogger(ClusterPki.class);
    private static final String PRIVATE = "rw-------";

    private ClusterPki() {
    }

    public static boolean initialised(PkiFiles files) {
        return Files.exists(files.caCertificate());
    }

    /**
     * Creates a new cluster on this node: the CA, the cluster secret, and this node's key and
     * certificate (valid {@code validity}, at most a year).
     *
     * @throws IllegalStateException if this node already belongs to a cluster
     */
    public static CertificateAuthority init(PkiFiles files, String nodeId, String clusterName, Duration validity) {
        if (initialised(files)) {
            throw new IllegalStateException("node " + nodeId + " already has a cluster CA at " + files.caCertificate()
                    + "; remove " + files.dir() + " first to start a new cluster");
        }
        PrivateFiles.createDirectory(files.dir());
        CertificateAuthority ca = CertificateAuthority.create(clusterName);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        PrivateFiles.write(files.clusterSecret(), HexFormat.of().formatHex(secret) + "\n", PRIVATE);
        PrivateFiles.write(files.caKey(), Pem.encode(ca.key()), PRIVATE);
        issueOwnCertificate(files, ca, nodeId, validity);
        // The CA certificate last: its presence is what marks the directory as initialised.
        PrivateFiles.write(files.caCertificate(), Pem.encode(ca.certificate()), PRIVATE);
        return ca;
    }

    /** The default for a node with no PKI: it becomes a single-node cluster of its own (logged). */
    public static void ensureInitialised(PkiFiles files, String nodeId) {
        if (!initialised(files)) {
            init(files, nodeId, nodeId, CertificateAuthority.MAX_NODE_VALIDITY);
            LOG.infof("node %s had no cluster PKI: created a single-node cluster (CA and node certificate in %s)", nodeId, files.dir());
        }
    }

    /**
     * Admits a node to the cluster of {@code issuer} (a node holding the CA key): writes into
     * {@code target} the CA certificate (not its key), the cluster secret, and a new key and
     * certificate for {@code nodeId}. The manual join, until join tokens exist: run it on the CA
     * node with a fresh directory and move that directory to the new node's data dir.
     */
    public static X509Certificate addNode(PkiFiles issuer, PkiFiles target, String nodeId, Duration validity) {
        if (initialised(target)) {
            throw new IllegalStateException(target.dir() + " already belongs to a cluster");
        }
        CertificateAuthority ca = loadAuthority(issuer);
        PrivateFiles.createDirectory(target.dir());
        try {
            PrivateFiles.write(target.clusterSecret(), Files.readAllBytes(issuer.clusterSecret()), PRIVATE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + issuer.clusterSecret() + ": " + e.getMessage(), e);
        }
        X509Certificate cert = issueOwnCertificate(target, ca, nodeId, validity);
        PrivateFiles.write(target.caCertificate(), Pem.encode(ca.certificate()), PRIVATE);
        return cert;
    }

    /** The files of an operator bundle: key, certificate and the CA certificate, and nothing else. */
    public record OperatorBundle(Path key, Path certificate, Path caCertificate) {
        public static OperatorBundle in(Path dir) {
            return new OperatorBundle(dir.resolve("operator.key"), dir.resolve("operator.crt"), dir.resolve("ca.crt"));
        }
    }

    /**
     * Issues a person's certificate on the CA node: a new key and an operator certificate for
     * {@code name} with {@code role} (client usage only), written with the CA certificate into
     * {@code dir} (0700/0600). Never the cluster secret and never the CA key: an operator bundle
     * reaches agents with an API key and can neither serve as an agent nor speak cluster sync.
     */
    public static X509Certificate addOperator(PkiFiles issuer, Path dir, String name, String role, Duration validity) {
        OperatorBundle out = OperatorBundle.in(dir);
        if (Files.exists(out.certificate())) {
            throw new IllegalStateException(out.certificate() + " already exists; choose an empty directory");
        }
        CertificateAuthority ca = loadAuthority(issuer);
        KeyPair pair = CertificateAuthority.newKeyPair();
        X509Certificate cert = ca.issueOperator(name, role, pair.getPublic(), validity);
        PrivateFiles.createDirectory(dir);
        PrivateFiles.write(out.key(), Pem.encode(pair.getPrivate()), PRIVATE);
        PrivateFiles.write(out.certificate(), Pem.encode(cert), PRIVATE);
        PrivateFiles.write(out.caCertificate(), Pem.encode(ca.certificate()), PRIVATE);
        return cert;
    }

    /** Makes a new key for this node and a certificate for it signed by {@code ca} (rotation). */
    public static X509Certificate issueOwnCertificate(PkiFiles files, CertificateAuthority ca, String nodeId, Duration validity) {
        KeyPair pair = CertificateAuthority.newKeyPair();
        X509Certificate cert = ca.issueNode(nodeId, pair.getPublic(), validity);
        PrivateFiles.write(files.nodeKey(), Pem.encode(pair.getPrivate()), PRIVATE);
        PrivateFiles.write(files.nodeCertificate(), Pem.encode(cert), PRIVATE);
        return cert;
    }

    /** Loads the CA of a node that holds the CA key (the one that ran {@code acp cluster init}). */
    public static CertificateAuthority loadAuthority(PkiFiles files) {
        if (!Files.exists(files.caKey())) {
            throw new IllegalStateException("this node holds no CA key (" + files.caKey() + "); issue certificates on the node that ran 'acp cluster init'");
        }
        return new CertificateAuthority(Pem.readPrivateKey(files.caKey()), Pem.readCertificate(files.caCertificate()));
    }

    /**
     * Checks that this node's certificate exists, is for {@code nodeId}, is signed by the cluster CA
     * and is valid now; the message says what to do otherwise.
     */
    public static X509Certificate checkNodeCertificate(PkiFiles files, String nodeId) {
        if (!Files.exists(files.nodeCertificate()) || !Files.exists(files.nodeKey())) {
            throw new IllegalStateException("node " + nodeId + " has no certificate (" + files.nodeCertificate() + "); run 'acp cluster init'");
        }
        X509Certificate cert = Pem.readCertificate(files.nodeCertificate());
        X509Certificate ca = Pem.readCertificate(files.caCertificate());
        String subjectNode = NodeCertificates.nodeId(cert);
        if (!NodeCertificates.servesAsNode(cert)) {
            throw new IllegalStateException(files.nodeCertificate() + " is the certificate of " + NodeCertificates.describe(cert)
                    + ", not a node certificate with the server usage: only a node certificate can serve as an agent");
        }
        if (!nodeId.equals(subjectNode)) {
            throw new IllegalStateException(files.nodeCertificate() + " is for node '" + subjectNode + "', not for this node '" + nodeId + "'");
        }
        try {
            cert.verify(ca.getPublicKey());
            cert.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new IllegalStateException("the certificate of node " + nodeId + " expired on " + cert.getNotAfter().toInstant()
                    + " (" + files.nodeCertificate() + "); issue a new one (docs/security.md)", e);
        } catch (CertificateNotYetValidException e) {
            throw new IllegalStateException("the certificate of node " + nodeId + " is valid only from " + cert.getNotBefore().toInstant(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(files.nodeCertificate() + " is not signed by the cluster CA " + files.caCertificate(), e);
        }
        return cert;
    }
}
