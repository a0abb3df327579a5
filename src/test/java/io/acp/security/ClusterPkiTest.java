package io.acp.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster CA and node certificates, on real files. */
class ClusterPkiTest {

    @TempDir
    Path dir;

    @Test
    void initWritesACaAndANodeCertificateFitForMutualTls() throws Exception {
        PkiFiles files = PkiFiles.in(dir);
        ClusterPki.init(files, "n1", "lab", Duration.ofDays(365));

        X509Certificate ca = Pem.readCertificate(files.caCertificate());
        X509Certificate node = ClusterPki.checkNodeCertificate(files, "n1");
        assertThat(ca.getBasicConstraints()).as("CA").isGreaterThanOrEqualTo(0);
        assertThat(ca.getSubjectX500Principal().getName()).contains("lab");
        assertThat(node.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        node.verify(ca.getPublicKey());
        assertThat(node.getPublicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) node.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(node.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"); // serverAuth, clientAuth
        assertThat(node.getSubjectAlternativeNames()).contains(List.of(2, "n1"), List.of(6, "urn:acp:node:n1"));
        assertThat(NodeCertificates.nodeId(node)).isEqualTo("n1");
        assertThat(Duration.between(node.getNotBefore().toInstant(), node.getNotAfter().toInstant())).isLessThanOrEqualTo(Duration.ofDays(365));
        assertThat(Files.readString(files.clusterSecret()).strip()).matches("[0-9a-f]{64}");
        for (Path p : List.of(files.caKey(), files.nodeKey(), files.clusterSecret(), files.caCertificate(), files.nodeCertificate())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
        }
        assertThat(Pem.readPrivateKey(files.nodeKey()).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void aSecondInitIsRefusedAndChangesNothing() throws Exception {
        PkiFiles files = PkiFiles.in(dir);
        ClusterPki.init(files, "n1", "lab", Duration.ofDays(30));
        byte[] ca = Files.readAllBytes(files.caCertificate());
        assertThatThrownBy(() -> ClusterPki.init(files, "n1", "lab", Duration.ofDays(30)))
                .hasMessageContaining("already has a cluster CA").hasMessageContaining(files.dir().toString());
        assertThat(Files.readAllBytes(files.caCertificate())).isEqualTo(ca);
    }

    @Test
    void certificatesLongerThanAYearAreNotIssued() {
        CertificateAuthority ca = CertificateAuthority.create("lab");
        KeyPair pair = CertificateAuthority.newKeyPair();
        assertThatThrownBy(() -> ca.issueNode("n1", pair.getPublic(), Duration.ofDays(366)))
                .hasMessageContaining("at most 365 days");
    }

    @Test
    void addNodeGivesTheCaCertificateButNotItsKey() {
        PkiFiles first = PkiFiles.in(dir.resolve("n1"));
        PkiFiles second = PkiFiles.in(dir.resolve("n2"));
        ClusterPki.init(first, "n1", "lab", Duration.ofDays(30));
        ClusterPki.addNode(first, second, "n2", Duration.ofDays(30));
        assertThat(ClusterPki.checkNodeCertificate(second, "n2").getIssuerX500Principal())
                .isEqualTo(Pem.readCertificate(first.caCertificate()).getSubjectX500Principal());
        assertThat(second.caKey()).doesNotExist();
        assertThatThrownBy(() -> ClusterPki.loadAuthority(second)).hasMessageContaining("holds no CA key");
    }

    @Test
    void aCertificateOfAnotherNodeOrExpiredOneIsReportedAtCheck() throws Exception {
        PkiFiles files = PkiFiles.in(dir);
        ClusterPki.init(files, "n1", "lab", Duration.ofDays(30));
        assertThatThrownBy(() -> ClusterPki.checkNodeCertificate(files, "n2"))
                .hasMessageContaining("is for node 'n1', not for this node 'n2'");

        CertificateAuthority ca = ClusterPki.loadAuthority(files);
        KeyPair pair = CertificateAuthority.newKeyPair();
        Instant now = Instant.now();
        Files.writeString(files.nodeCertificate(), Pem.encode(ca.issueNode("n1", pair.getPublic(), now.minus(Duration.ofDays(10)), now.minusSeconds(5))));
        assertThatThrownBy(() -> ClusterPki.checkNodeCertificate(files, "n1"))
                .hasMessageContaining("expired").hasMessageContaining(files.nodeCertificate().toString());
    }
}
