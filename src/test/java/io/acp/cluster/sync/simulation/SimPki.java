package io.acp.cluster.sync.simulation;

import io.acp.security.CertificateAuthority;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.SeededRandom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The cluster PKI of one simulated run, a pure function of the seed and virtual time zero: the
 * production {@link CertificateAuthority} code, its keys, serials and signatures drawn from
 * {@link SeededRandom}s and its dates from the virtual epoch, so the certificates (and the
 * certificate metas, seals and datagram sizes that follow from them) are the same bytes in every
 * replay. Certificates run from two days before virtual time zero for a year: valid at the real
 * time of a run (checked when a sync starts) on the day it was made and for months after.
 */
final class SimPki {

    private final String label;
    private final Instant notBefore;
    private final CertificateAuthority ca;
    private final Map<String, Integer> keysIssued = new HashMap<>();

    SimPki(long seed, long wallEpochMillis) {
        this.label = "sim " + seed + " epoch " + wallEpochMillis;
        this.notBefore = Instant.ofEpochMilli(wallEpochMillis).minus(Duration.ofDays(2));
        this.ca = CertificateAuthority.create("sim", SeededRandom.of(label + " ca"), notBefore);
    }

    /**
     * Writes a new key and certificate for {@code node} (its first, or a new one after a lost disk)
     * and the CA certificate into {@code dataDir}'s PKI files, as {@code acp cluster add-node} does.
     */
    void provision(Path dataDir, String node) {
        int n = keysIssued.merge(node, 1, Integer::sum);
        var random = SeededRandom.of(label + " node " + node + " key " + n);
        KeyPair pair = CertificateAuthority.newKeyPair(random);
        X509Certificate cert = ca.issueNode(node, pair.getPublic(), notBefore, notBefore.plus(CertificateAuthority.MAX_NODE_VALIDITY), random);
        PkiFiles files = PkiFiles.in(dataDir);
        try {
            Files.createDirectories(files.dir());
            Files.writeString(files.nodeKey(), Pem.encode(pair.getPrivate()));
            Files.writeString(files.nodeCertificate(), Pem.encode(cert));
            Files.writeString(files.caCertificate(), Pem.encode(ca.certificate()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the simulated PKI of node " + node + " in " + files.dir(), e);
        }
    }
}
