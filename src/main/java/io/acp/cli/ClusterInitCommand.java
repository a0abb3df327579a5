package io.acp.cli;

import io.acp.api.ApiKeyStore;
import io.acp.node.NodeIdentity;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", description = {
    "Make this node the first of a new cluster: create the cluster CA, the cluster secret, this node's key and certificate",
    "(under <acp.node.data-dir>/pki, mode 0600) and, if there is none yet, an admin API key (<acp.node.data-dir>/admin.key)."})
class ClusterInitCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", description = "The cluster's name, in the CA certificate (default: this node's id).")
    String name;

    @Mixin
    CertificateValidity validity;

    @Override
    public Integer call() {
        Duration valid = validity.validity(spec);
        PrintWriter err = spec.commandLine().getErr();
        PkiFiles pki = PkiFiles.in(identity.dataDir());
        try {
            ClusterPki.init(pki, identity.id(), name != null ? name : identity.id(), valid);
        } catch (IllegalStateException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
        ApiKeyStore.open(identity.dataDir());
        PrintWriter out = spec.commandLine().getOut();
        out.println("cluster created on node " + identity.id() + ": CA, cluster secret and node certificate in " + pki.dir());
        out.println("admin API key: " + identity.dataDir().resolve("admin.key") + " (mode 0600)");
        out.flush();
        return ExitCodes.OK;
    }
}
