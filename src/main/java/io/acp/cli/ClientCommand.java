package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a running node through its API. It never starts node services: it
 * only connects to the node's socket or TCP port.
 */
abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Inject
    ApiConnector connector;

    @Override
    public final Integer call() {
        validate();
        try (ApiClient api = connector.open(client)) {
            // acp --node: the top command holds it, however deep this command is (acp system start …).
            api.routeTo(target(spec.root().userObject() instanceof AcpCommand acp ? acp.node : null));
            return run(api);
        }
    }

    /**
     * The node the requests go to, given the global {@code acp --node}; a command whose own
     * {@code --node} means the same thing (stats, meta) lets it take precedence.
     */
    protected String target(String globalNode) {
        return globalNode;
    }

    /** Checks arguments before connecting, so a typo is reported even with no node running. */
    protected void validate() {
    }

    /** Does the work; returns the exit code. AcpExceptions become one error line and their code. */
    protected abstract int run(ApiClient api);

    protected boolean json() {
        return client.json;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints {@code result} as JSON with --json, else the human way; returns exit code 0. */
    protected int print(JsonNode result, BiConsumer<JsonNode, PrintWriter> human) {
        if (json()) {
            printJson(result);
        } else {
            human.accept(result, out());
            out().flush();
        }
        return ExitCodes.OK;
    }

    /** One JSON document on one line: what --json prints. */
    protected void printJson(JsonNode node) {
        out().println(JsonTrees.text(JsonNumbers.integral(node)));
        out().flush();
    }
}
