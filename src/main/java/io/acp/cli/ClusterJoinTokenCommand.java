package io.acp.cli;

import io.acp.agent.AgentConfig;
import io.acp.node.NodeIdentity;
import io.acp.security.JoinBinding;
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
    "On the node that holds the CA key: print a single-use token that admits node NAME with 'acp node join --token'.",
    "The CA signs only that name, and refuses it if it is already a member unless --replace is given.",
    "The token carries the CA's public-key hash, a secret, its expiry and this node's join address (acp.agent.join-port)."})
class ClusterJoinTokenCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Inject
    AgentConfig agent;

    @Spec
    CommandSpec spec;

    @Option(names = "--node", paramLabel = "NAME", required = true, description = "The node id (acp.node.id) the token admits; the only name the CA will sign.")
    String node;

    @Option(names = "--from", paramLabel = "IP", split = ",", description = "Addresses the join may come from (IP literals); default: any.")
    List<String> from;

    @Option(names = "--replace", description = "Allow NAME to replace an existing member: its earlier certificates are revoked when the token is redeemed.")
    boolean replace;

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
        JoinBinding binding;
        try {
            binding = new JoinBinding(node, replace, from != null ? from : List.of());
        } catch (IllegalArgumentException e) {
            err.println("acp: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            JoinToken token = new JoinTokens(PkiFiles.in(identity.dataDir()))
                    .issue(life, addresses != null ? addresses : List.of(defaultAddress()), identity.id(), binding);
            PrintWriter out = spec.commandLine().getOut();
            out.println(token.encode());
            out.flush();
            err.println("admits node " + node + (replace ? " (replacing the member of that name)" : "") + ", single use, valid until "
                    + token.expires() + "; on node " + node + ": acp node join --token <token>");
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
