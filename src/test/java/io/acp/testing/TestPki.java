package io.acp.testing;

import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.security.CertificateAuthority;
import io.acp.security.ClusterPki;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import java.nio.file.Path;

/**
 * A real cluster CA for tests (the same code as {@code acp cluster init} / {@code add-node}), and
 * node PKI directories issued from it, so cluster sync runs with real node keys and certificates.
 */
public final class TestPki {

    private TestPki() {
    }

    /** A new cluster CA in {@code dir/pki} (its own node certificate is for node "ca"). */
    public static PkiFiles newCluster(Path dir, String clusterName) {
        PkiFiles ca = PkiFiles.in(dir);
        ClusterPki.init(ca, "ca", clusterName, CertificateAuthority.MAX_NODE_VALIDITY);
        return ca;
    }

    /** A signer with the node key of {@code node}, provisioned in {@code dataDir} if needed. */
    public static NodeSigner signer(PkiFiles ca, Path dataDir, String node) {
        provision(ca, dataDir, node);
        PkiFiles files = PkiFiles.in(dataDir);
        return new NodeSigner(node, Pem.readPrivateKey(files.nodeKey()), Pem.readCertificate(files.nodeCertificate()));
    }

    /** Gives {@code node} a key and certificate from {@code ca} in its data dir, unless it has them. */
    public static void provision(PkiFiles ca, Path dataDir, String node) {
        PkiFiles target = PkiFiles.in(dataDir);
        if (!ClusterPki.initialised(target)) {
            ClusterPki.addNode(ca, target, node, CertificateAuthority.MAX_NODE_VALIDITY);
        }
    }
}
