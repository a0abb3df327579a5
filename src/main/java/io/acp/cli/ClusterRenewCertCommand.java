package io.acp.cli;

import io.acp.node.NodeIdentity;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "renew-cert", description = {
    "On the node that holds the CA key: give this node a new key and certificate now. A running agent serves them to new",
    "connections within a minute, without a restart; open connections keep working."})
class ClusterRenewCertCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Spec
    CommandSpec spec;

    @Mixin
    CertificateValidity validity;

    @Override
    public Integer call() {
        Duration valid = validity.validity(spec);
        PrintWriter err = spec.commandLine().getErr();
        PkiFiles pki = PkiFiles.in(identity.dataDir());
        try {
            X509Certificate cert = ClusterPki.issueOwnCertificate(pki, ClusterPki.loadAuthority(pki), identity.id(), valid);
            PrintWriter out = spec.commandLine().getOut();
            out.println("node " + identity.id() + " has a new certificate (serial " + cert.getSerialNumber().toString(16) + ") valid until "
                    + cert.getNotAfter().toInstant());
            out.flush();
            return ExitCodes.OK;
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
    }
}
