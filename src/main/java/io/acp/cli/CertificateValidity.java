package io.acp.cli;

import io.acp.security.CertificateAuthority;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code --validity-days} option of the commands that issue a node certificate. */
public final class CertificateValidity {

    @Option(names = "--validity-days", paramLabel = "DAYS", defaultValue = "365",
            description = "How long the node certificate is valid, 1 to 365 days (default: ${DEFAULT-VALUE}).")
    int days;

    /** The validity asked for; out of range is a usage error (exit 2), checked before anything is written. */
    Duration validity(CommandSpec spec) {
        long max = CertificateAuthority.MAX_NODE_VALIDITY.toDays();
        if (days < 1 || days > max) {
            throw new ParameterException(spec.commandLine(), "--validity-days must be 1 to " + max + ", got " + days);
        }
        return Duration.ofDays(days);
    }
}
