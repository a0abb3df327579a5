package io.acp.security;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The two ends of a join: the new node makes its key and a PKCS#10 request naming its node id;
 * the CA node signs it; the new node installs the answer in its {@code pki/}. Blocking: a worker.
 */
public final class JoinCertificates {

    /** What the issuer hands a joining node. */
    public record Issued(String nodeCertificatePem, String caCertificatePem, String clusterSecret) {
    }

    private JoinCertificates() {
    }

    /** A PEM certification request for {@code nodeId} signed by {@code pair}. */
    public static String request(String nodeId, KeyPair pair) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + nodeId), pair.getPublic());
            return Pem.encode(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the certificate request of node " + nodeId + ": " + e.getMessage(), e);
        }
    }

    /** A checked certificate request: its key (it signed the request) and the node it names. */
    public record Request(String nodeId, PublicKey key) {
    }

    /** Checks the request's signature and reads the node id it names (its CN); throws naming what is wrong. */
    public static Request check(String csrPem) {
        PKCS10CertificationRequest csr = parseRequest(csrPem);
        try {
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("the certificate request is not signed by its own key");
            }
            String nodeId = IETFUtils.valueToString(csr.getSubject().getRDNs(BCStyle.CN)[0].getFirst().getValue());
            new ObjectKey(ObjectType.NODE, nodeId);
            return new Request(nodeId, key);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the certificate request names no node (CN)");
        } catch (java.security.GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
                | org.bouncycastle.pkcs.PKCSException e) {
            throw new IllegalArgumentException("the certificate request cannot be verified: " + e.getMessage());
        }
    }

    /**
     * On the CA node, once the caller has decided {@code request} may have its name: issues the
     * node's certificate (node id in the SAN, server and client usage), starting no earlier than
     * {@code notEarlierThan}, with the CA certificate and the cluster secret.
     */
    public static Issued sign(PkiFiles issuer, Request request, Duration validity, Instant notEarlierThan) {
        CertificateAuthority ca = ClusterPki.loadAuthority(issuer);
        X509Certificate cert = ca.issueNodeAfter(request.nodeId(), request.key(), validity, notEarlierThan);
        try {
            String secret = Files.readString(issuer.clusterSecret()).strip();
            return new Issued(Pem.encode(cert), Pem.encode(ca.certificate()), secret);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + issuer.clusterSecret() + ": " + e.getMessage(), e);
        }
    }

    /** On the new node: writes its key and what the issuer returned into {@code target} (0700/0600). */
    public static X509Certificate install(PkiFiles target, String nodeId, KeyPair pair, Issued issued) {
        if (ClusterPki.initialised(target)) {
            throw new IllegalStateException(target.dir() + " already belongs to a cluster");
        }
        X509Certificate cert = Pem.parseCertificate(issued.nodeCertificatePem());
        X509Certificate ca = Pem.parseCertificate(issued.caCertificatePem());
        if (!cert.getPublicKey().equals(pair.getPublic()) || !nodeId.equals(NodeCertificates.nodeId(cert))) {
            throw new IllegalStateException("the issuer returned a certificate that is not for this node's key and id " + nodeId);
        }
        PrivateFiles.createDirectory(target.dir());
        PrivateFiles.write(target.clusterSecret(), issued.clusterSecret() + "\n", "rw-------");
        PrivateFiles.write(target.nodeKey(), Pem.encode(pair.getPrivate()), "rw-------");
        PrivateFiles.write(target.nodeCertificate(), Pem.encode(cert), "rw-------");
        PrivateFiles.write(target.caCertificate(), Pem.encode(ca), "rw-------");
        return cert;
    }

    private static PKCS10CertificationRequest parseRequest(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            if (p.readObject() instanceof PKCS10CertificationRequest csr) {
                return csr;
            }
        } catch (IOException | RuntimeException e) {
            // falls through to the refusal below
        }
        throw new IllegalArgumentException("not a PEM certificate request");
    }
}
