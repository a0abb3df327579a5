package io.acp.security;

import java.nio.file.Path;

/**
 * Where a node keeps its cluster PKI: {@code <data-dir>/pki/} (0700) with the CA certificate, the
 * CA key (only on nodes that issue certificates), this node's key and certificate and the cluster
 * secret. Every file is 0600.
 */
public record PkiFiles(Path dir) {

    public static PkiFiles in(Path dataDir) {
        return new PkiFiles(dataDir.resolve("pki"));
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path nodeCertificate() {
        return dir.resolve("node.crt");
    }

    public Path nodeKey() {
        return dir.resolve("node.key");
    }

    /** 32 random bytes, hex: the key cluster sync derives its message keys from. */
    public Path clusterSecret() {
        return dir.resolve("cluster.secret");
    }

    /**
     * The second key slot while {@code acp cluster rotate-secret} runs: the secret this node also
     * accepts besides {@link #clusterSecret()} (the new one before it sends under it, the old one
     * after). Absent outside a rotation.
     */
    public Path previousClusterSecret() {
        return dir.resolve("cluster.secret.previous");
    }
}
