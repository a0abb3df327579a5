package io.acp.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates written as PEM read back whole (through the JDK's parser), and what is not one is refused by name. */
class PemTest {

    @TempDir
    Path dir;

    @Test
    void a_written_certificate_reads_back_from_file_and_text() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("c1");
        KeyPair pair = CertificateAuthority.newKeyPair();
        X509Certificate cert = ca.issueNode("n1", pair.getPublic(), CertificateAuthority.MAX_NODE_VALIDITY);
        Path file = dir.resolve("node.crt");
        Files.writeString(file, Pem.encode(cert));

        X509Certificate read = Pem.readCertificate(file);

        assertThat(read).isEqualTo(cert);
        assertThat(Pem.parseCertificate(Pem.encode(cert))).isEqualTo(cert);
        assertThat(NodeCertificates.nodeId(read)).isEqualTo("n1");
        read.verify(ca.certificate().getPublicKey());
    }

    @Test
    void a_key_or_garbage_is_not_a_certificate() throws Exception {
        Path key = dir.resolve("node.key");
        Files.writeString(key, Pem.encode(CertificateAuthority.newKeyPair().getPrivate()));
        Path empty = dir.resolve("empty.crt");
        Files.writeString(empty, "");

        assertThatThrownBy(() -> Pem.readCertificate(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(key + " holds no PEM certificate");
        assertThatThrownBy(() -> Pem.readCertificate(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(empty + " holds no PEM certificate");
        assertThatThrownBy(() -> Pem.parseCertificate("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a PEM certificate");
        assertThatThrownBy(() -> Pem.parseCertificate(Files.readString(key)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a PEM certificate");
        assertThat(Pem.readPrivateKey(key).getAlgorithm()).isIn("EC", "ECDSA");
    }
}
