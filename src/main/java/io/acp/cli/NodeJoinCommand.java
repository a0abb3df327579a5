package io.acp.cli;

import io.acp.agent.JoinClient;
import io.acp.node.NodeIdentity;
import io.acp.security.JoinToken;
import io.acp.security.PkiFiles;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "join", description = {
    "Join this node to a cluster with a token from 'acp cluster join-token': make this node's key here, have the issuer",
    "(pinned by the CA hash in the token) sign its certificate, and write it, the CA certificate and the cluster secret",
    "into <acp.node.data-dir>/pki (0700/0600). Run before this node's first 'acp node run'."})
class NodeJoinCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Spec
    CommandSpec spec;

    @Option(names = "--token", paramLabel = "TOKEN", required = true, description = "The token printed by 'acp cluster join-token'.")
    String token;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        JoinToken parsed;
        try {
            parsed = JoinToken.parse(token);
        } catch (IllegalArgumentException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        PkiFiles pki = PkiFiles.in(identity.dataDir());
        try {
            X509Certificate cert = JoinClient.join(parsed, identity.id(), pki);
            PrintWriter out = spec.commandLine().getOut();
            out.println("node " + identity.id() + " joined the cluster: certificate valid until " + cert.getNotAfter().toInstant() + ", in " + pki.dir());
            out.flush();
            return ExitCodes.OK;
        } catch (IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
    }
}
