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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.acp.cluster.ObjectQuery;
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

    /**
     * What an event loop asks (the agent per connection, the HTTPS listener per request) is a lookup
     * in what the last refresh verified: it never reads the cluster state, so a revocation counts
     * from the next refresh on a worker (every second there), and a refresh that fails loses none.
     */
    @Test
    void theKnownListIsALookupAndOnlyARefreshReadsTheState() throws Exception {
        PkiFiles pki = PkiFiles.in(dir);
        CertificateAuthority ca = ClusterPki.init(pki, "n1", "lab", Duration.ofDays(1));
        KeyPair key = CertificateAuthority.newKeyPair();
        X509Certificate n2 = ca.issueNode("n2", key.getPublic(), Duration.ofDays(1));
        X509Certificate bob = ca.issueOperator("bob", "operator", key.getPublic(), Duration.ofDays(1));
        X509Certificate carol = ca.issueOperator("carol", "admin", key.getPublic(), Duration.ofDays(1));
        try (Cdb cdb = Cdb.inMemory("n1")) {
            AtomicInteger reads = new AtomicInteger();
            AtomicBoolean broken = new AtomicBoolean();
            RevocationList list = new RevocationList("n1", Pem.readCertificate(pki.caCertificate()), () -> {
                reads.incrementAndGet();
                if (broken.get()) {
                    throw new IllegalStateException("the cluster state is not readable");
                }
                return cdb.objects(ObjectQuery.ofType(ObjectType.SECURITY));
            });
            put(cdb, Revocation.ofName(ca, "n2", Instant.now().plusSeconds(1)));
            put(cdb, Revocation.ofSerial(ca, bob.getSerialNumber(), Instant.now()));

            assertThat(list.knownRevoked(n2)).isFalse();
            assertThat(list.knownRevoked(bob)).isFalse();
            assertThat(reads).hasValue(0);

            list.refreshQuietly();
            assertThat(reads).hasValue(1);
            assertThat(list.knownRevocationOf(n2)).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("n2"));
            assertThat(list.knownRevocationOf(bob)).hasValueSatisfying(r -> assertThat(r.serial()).isEqualTo(bob.getSerialNumber()));
            assertThat(list.knownRevoked(carol)).isFalse();

            put(cdb, Revocation.ofName(ca, "carol", Instant.now().plusSeconds(1)));
            assertThat(list.knownRevoked(carol)).isFalse();
            assertThat(reads).hasValue(1);

            broken.set(true);
            list.refreshQuietly();
            assertThat(reads).hasValue(2);
            assertThat(list.knownRevoked(n2)).isTrue();
            assertThat(list.knownRevoked(carol)).isFalse();

            broken.set(false);
            list.refreshQuietly();
            assertThat(list.knownRevoked(carol)).isTrue();
            assertThat(list.knownRevoked(n2)).isTrue();
        }
    }
}
