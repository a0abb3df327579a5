package io.acp.cli;

import io.acp.api.Role;
import io.acp.node.NodeIdentity;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "add-operator", description = {
    "On the node that holds the CA key: issue a person's certificate for 'acp --agent': write operator.key, operator.crt",
    "(client usage only, carrying NAME and ROLE) and ca.crt into DIR. It can never serve as an agent and holds no cluster secret."})
class ClusterAddOperatorCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Who the certificate is for (letters, digits, - _ . :).")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", required = true, description = "admin, operator or read-only.")
    String role;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "A new or empty directory for the bundle.")
    Path out;

    @Mixin
    CertificateValidity validity;

    @Override
    public Integer call() {
        Duration valid = validity.validity(spec);
        PrintWriter err = spec.commandLine().getErr();
        try {
            new ObjectKey(ObjectType.NODE, name);
            Role.parse(role);
        } catch (IllegalArgumentException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            X509Certificate cert = ClusterPki.addOperator(PkiFiles.in(identity.dataDir()), out, name, role, valid);
            PrintWriter o = spec.commandLine().getOut();
            o.println("operator " + name + " (role " + role + ") certificate serial " + cert.getSerialNumber().toString(16) + " valid until "
                    + cert.getNotAfter().toInstant() + " in " + out);
            o.println("use: acp --agent HOST:PORT --cert " + out.resolve("operator.crt") + " --key " + out.resolve("operator.key") + " --ca "
                    + out.resolve("ca.crt") + " status");
            o.flush();
            return ExitCodes.OK;
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
    }
}
