package io.acp.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterRevocations;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CA-signed revocations in a real CDB: what they cover, what is ignored, and that deleting one lifts nothing. */
class RevocationListTest {

    @TempDir
    Path dir;

    private static void put(Cdb cdb, Revocation r) {
        cdb.putObject(ObjectKey.of(ObjectType.SECURITY, r.objectId()), Revocation.SUBTYPE, r.toSpec(), null).await().indefinitely();
    }

    @Test
    void aNameRevocationCoversEarlierCertificatesOnlyAndSurvivesItsDeletion() throws Exception {
        PkiFiles pki = PkiFiles.in(dir);
        CertificateAuthority ca = ClusterPki.init(pki, "n1", "lab", Duration.ofDays(1));
        KeyPair key = CertificateAuthority.newKeyPair();
        X509Certificate old = ca.issueNode("n2", key.getPublic(), Duration.ofDays(1));
        X509Certificate other = ca.issueNode("n3", key.getPublic(), Duration.ofDays(1));
        try (Cdb cdb = Cdb.inMemory("n1")) {
            RevocationList list = ClusterRevocations.of(cdb, pki);
            assertThat(list.revoked(old)).isFalse();

            Revocation r = Revocation.ofName(ca, "n2", Instant.now());
            put(cdb, r);
            list.refresh();
            X509Certificate replacement = ca.issueNodeAfter("n2", key.getPublic(), Duration.ofDays(1), r.revokedAt());
            assertThat(list.revoked(old)).isTrue();
            assertThat(list.revoked(replacement)).isFalse();
            assertThat(list.revoked(other)).isFalse();

            cdb.deleteObject(ObjectKey.of(ObjectType.SECURITY, r.objectId())).await().indefinitely();
            list.refresh();
            assertThat(list.revoked(old)).isTrue();
        }
    }

    @Test
    void aSerialRevocationCoversOneCertificateAndForgeriesAreIgnored() throws Exception {
        PkiFiles pki = PkiFiles.in(dir);
        CertificateAuthority ca = ClusterPki.init(pki, "n1", "lab", Duration.ofDays(1));
        KeyPair key = CertificateAuthority.newKeyPair();
        X509Certificate alice = ca.issueOperator("alice", "admin", key.getPublic(), Duration.ofDays(1));
        X509Certificate alice2 = ca.issueOperator("alice", "admin", key.getPublic(), Duration.ofDays(1));
        try (Cdb cdb = Cdb.inMemory("n1")) {
            RevocationList list = ClusterRevocations.of(cdb, pki);
            put(cdb, Revocation.ofName(CertificateAuthority.create("forger"), "alice", Instant.now()));
            Revocation genuine = Revocation.ofSerial(ca, alice.getSerialNumber(), Instant.now());
            // Filed under another serial's id: the signature holds, the filing does not.
            Revocation misfiled = Revocation.ofSerial(ca, alice2.getSerialNumber(), Instant.now());
            cdb.putObject(ObjectKey.of(ObjectType.SECURITY, "revoked.serial.ff"), Revocation.SUBTYPE, misfiled.toSpec(), null).await().indefinitely();
            list.refresh();
            assertThat(list.revoked(alice)).isFalse();
            assertThat(list.revoked(alice2)).isFalse();

            put(cdb, genuine);
            list.refresh();
            assertThat(list.revoked(alice)).isTrue();
            assertThat(list.revoked(alice2)).isFalse();
            assertThat(Revocation.fromSpec(genuine.toSpec())).isEqualTo(genuine);
            assertThat(Revocation.looksLikeSerial(alice.getSerialNumber().toString(16))).isTrue();
            assertThat(Revocation.looksLikeSerial("n2")).isFalse();
            assertThat(Revocation.looksLikeSerial("serial:ab")).isTrue();
        }
    }
}
