package io.acp.cli;

import io.acp.agent.AgentConfig;
import io.acp.node.NodeIdentity;
import io.acp.security.JoinToken;
import io.acp.security.JoinTokens;
import io.acp.security.PkiFiles;
import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "join-token", description = {
    "On the node that holds the CA key: print a single-use token for 'acp node join --token' on a new node.",
    "It carries the CA's public-key hash, a secret, its expiry and this node's join address (acp.agent.join-port)."})
class ClusterJoinTokenCommand implements Callable<Integer> {

    @Inject
    NodeIdentity identity;

    @Inject
    AgentConfig agent;

    @Spec
    CommandSpec spec;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "How long the token is valid (e.g. 30m, 1h), at most 24h (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--address", paramLabel = "HOST:PORT", split = ",",
            description = "Where the new node reaches this node's join port (default: the host of acp.agent.advertise, or the host name, and acp.agent.join-port).")
    List<String> addresses;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Duration life;
        try {
            life = DurationConverter.parseDuration(ttl);
            if (life == null || life.isNegative() || life.isZero() || life.compareTo(JoinTokens.MAX_TTL) > 0) {
                throw new IllegalArgumentException("out of range");
            }
        } catch (RuntimeException e) {
            err.println("acp: --ttl must be a duration above 0 and at most 24h (e.g. 30m, 1h), not '" + ttl + "'");
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            JoinToken token = new JoinTokens(PkiFiles.in(identity.dataDir())).issue(life, addresses != null ? addresses : List.of(defaultAddress()));
            PrintWriter out = spec.commandLine().getOut();
            out.println(token.encode());
            out.flush();
            err.println("single use, valid until " + token.expires() + "; on the new node: acp node join --token <token>");
            err.flush();
            return ExitCodes.OK;
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
    }

    private String defaultAddress() {
        String host = agent.advertise().map(a -> a.substring(0, a.lastIndexOf(':'))).orElse(NodeIdentity.hostName());
        return host + ":" + agent.joinPort();
    }
}
