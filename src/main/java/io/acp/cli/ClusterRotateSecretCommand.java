package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.cluster.sync.SecretRotation.Step;
import io.acp.model.JsonTrees;
import io.acp.protocol.AcpException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code acp cluster rotate-secret}: a new cluster secret on every member, through the two key
 * slots so that sync never stops: every node accepts the new secret too, then every node sends
 * under it, then every node drops the old one. Each step is done on every node (routed through
 * the connected node's agent) before the next starts; a node that fails stops the rotation there.
 */
@Command(name = "rotate-secret", description = {
    "Give the cluster a new random sync secret (256 bits) without downtime: every member first accepts it too, then sends under it,",
    "then refuses the old one. Each step reaches every node (routed through this node's agent) before the next starts.",
    "A node that fails stops the rotation; fix it and resume with --from STEP --secret-file FILE as the error says."})
class ClusterRotateSecretCommand extends ClientCommand {

    @Option(names = "--from", paramLabel = "STEP", description = "Resume at this step: accept (the default), send or retire.")
    String from = "accept";

    @Option(names = "--secret-file", paramLabel = "PATH",
            description = "The new secret to use instead of a random one (a resumed rotation takes the one already on the nodes).")
    Path secretFile;

    @Option(names = "--skip", paramLabel = "NODE", split = ",",
            description = "Leave these nodes out: nodes gone for good whose reports are still in the cluster state (never the connected node).")
    List<String> skip = new ArrayList<>();

    private Step first;

    @Override
    protected void validate() {
        try {
            first = Step.parse(from.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--from: " + e.getMessage());
        }
        if (first == Step.SEND && secretFile == null) {
            throw new ParameterException(spec.commandLine(), "--from send needs --secret-file: the new secret the nodes accepted in step accept");
        }
    }

    @Override
    protected int run(ApiClient api) {
        JsonNode status = api.call(null, "cluster", "rotate-secret", JsonTrees.object().put("step", "status"));
        String self = status.path("node").asText();
        List<String> nodes = new ArrayList<>();
        nodes.add(self);
        status.path("members").forEach(m -> {
            if (!m.asText().equals(self) && !skip.contains(m.asText())) {
                nodes.add(m.asText());
            }
        });
        String secret = secretFile != null ? readSecret(secretFile) : randomSecret();
        for (Step step : Step.values()) {
            if (step.ordinal() < first.ordinal()) {
                continue;
            }
            List<String> done = new ArrayList<>();
            for (String node : nodes) {
                try {
                    api.call(node.equals(self) ? null : node, "cluster", "rotate-secret", args(step, secret));
                } catch (AcpException e) {
                    spec.commandLine().getErr().println("acp: rotate-secret stopped in step " + step.wireName() + " on node " + node + ": "
                            + e.getMessage() + "\n" + advice(step, done));
                    spec.commandLine().getErr().flush();
                    return ExitCodes.FAILURE;
                }
                done.add(node);
            }
            out().println("step " + step.wireName() + " done on " + String.join(", ", nodes));
            out().flush();
        }
        out().println("cluster secret rotated on " + nodes.size() + " node(s); the old secret is refused");
        out().flush();
        return ExitCodes.OK;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode args(Step step, String secret) {
        var a = JsonTrees.object().put("step", step.wireName());
        if (step != Step.RETIRE) {
            a.put("secret", secret);
        }
        return a;
    }

    /** What the cluster is left with, and how to go on, when {@code step} failed on a node. */
    private static String advice(Step step, List<String> done) {
        return switch (step) {
            case ACCEPT -> "every node still sends under the old secret, so sync is unaffected; run 'acp cluster rotate-secret' again when the node is back";
            case SEND -> "nodes send under either secret and all accept both; when the node is back run 'acp cluster rotate-secret --from send "
                    + "--secret-file FILE' with FILE the new secret: <data-dir>/pki/cluster.secret of a node that finished step send ("
                    + (done.isEmpty() ? "none did" : String.join(", ", done)) + "), or <data-dir>/pki/cluster.secret.previous of any node";
            case RETIRE -> "every node sends under the new secret; when the node is back run 'acp cluster rotate-secret --from retire'";
        };
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String readSecret(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secret file " + file + ": " + e.getMessage(), e);
        }
    }
}
