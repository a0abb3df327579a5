package io.acp.cli;

import io.acp.node.NodeIdentity;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "add-node", description = {
    "Admit node NODE by hand when it cannot reach the join port: on the node that ran 'acp cluster init', write NODE's key,",
    "certificate, the CA certificate and the cluster secret into DIR/pki; copy DIR/pki to NODE's data dir (keep it 0700/0600).",
    "For nodes only: a person's certificate comes from 'acp cluster add-operator', which carries no cluster secret."})
class ClusterAddNodeCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NODE", description = "The new node's id (its acp.node.id).")
    String node;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "An empty directory to write pki/ into.")
    Path out;

    @Mixin
    CertificateValidity validity;

    @Override
    public Integer call() {
        Duration valid = validity.validity(spec);
        PrintWriter err = spec.commandLine().getErr();
        try {
            new ObjectKey(ObjectType.NODE, node);
        } catch (IllegalArgumentException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        PkiFiles target = PkiFiles.in(out);
        try {
            ClusterPki.addNode(PkiFiles.in(identity.dataDir()), target, node, valid);
        } catch (IllegalStateException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
        spec.commandLine().getOut().println("node " + node + " admitted: copy " + target.dir() + " to its <acp.node.data-dir>/pki");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
