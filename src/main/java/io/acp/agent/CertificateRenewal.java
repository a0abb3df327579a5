package io.acp.agent;

import io.acp.security.CertificateAuthority;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Keeps the agent's certificate current without a restart: renews it on a node holding the CA
 * key when less than {@link #RENEW_BEFORE} remains, and notices a certificate replaced on disk
 * (by {@code acp cluster renew-cert} or by hand). Blocking (files): call on a worker.
 */
final class CertificateRenewal {

    private static final Logger LOG = Logger.getLogger(CertificateRenewal.class);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** How often the files are looked at; reading one small PEM file is cheap. */
    static final Duration CHECK_EVERY = Duration.ofMinutes(1);

    private final String nodeId;
    private final PkiFiles pki;
    private volatile BigInteger served;

    CertificateRenewal(String nodeId, PkiFiles pki) {
        this.nodeId = nodeId;
        this.pki = pki;
    }

    /** Records the certificate the agent serves now. */
    void serving(X509Certificate cert) {
        served = cert.getSerialNumber();
    }

    /** True when the agent should load the files again (renewed here or replaced on disk). */
    boolean check() {
        X509Certificate onDisk = ClusterPki.checkNodeCertificate(pki, nodeId);
        Duration left = Duration.between(Instant.now(), onDisk.getNotAfter().toInstant());
        if (left.compareTo(RENEW_BEFORE) < 0) {
            if (Files.exists(pki.caKey())) {
                ClusterPki.issueOwnCertificate(pki, ClusterPki.loadAuthority(pki), nodeId, CertificateAuthority.MAX_NODE_VALIDITY);
                LOG.infof("node %s renewed its certificate (%d days were left)", nodeId, left.toDays());
                return true;
            }
            LOG.warnf("the certificate of node %s expires in %d days; issue a new one on the CA node (docs/security.md)", nodeId, left.toDays());
        }
        return !onDisk.getSerialNumber().equals(served);
    }
}
