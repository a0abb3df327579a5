package io.acp.cli;

import io.acp.api.client.ApiEndpoint;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Options every client command takes: how to reach the node and how to print. */
public final class ClientOptions {

    @Option(names = "--json", description = "Print the raw JSON result (one JSON document per line for watch).")
    boolean json;

    @Option(names = "--socket", paramLabel = "PATH", description = "The node's API socket (default: the acp.api.socket setting, /run/acp/api.sock).")
    Path socket;

    @Option(names = "--tcp", paramLabel = "HOST:PORT", converter = TcpConverter.class,
            description = "Use the node's loopback TCP port instead of its socket, e.g. 127.0.0.1:7440.")
    ApiEndpoint.Tcp tcp;

    @Option(names = "--agent", paramLabel = "HOST:PORT", converter = TcpConverter.class,
            description = "Connect to a node's agent over mutual TLS instead, e.g. 10.0.0.2:7441 (with --cert, --key, --ca).")
    ApiEndpoint.Tcp agent;

    @Option(names = "--agent-node", paramLabel = "NODE",
            description = "The node the --agent must prove to be (its certificate's node id); without it any node certificate of the cluster CA"
                    + " is accepted, never an operator's.")
    String agentNode;

    @Option(names = "--cert", paramLabel = "PEM", description = "Client certificate for --agent (default: <acp.node.data-dir>/pki/node.crt).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Client private key for --agent (default: <acp.node.data-dir>/pki/node.key).")
    Path key;

    @Option(names = "--ca", paramLabel = "PEM", description = "Cluster CA certificate to trust for --agent (default: <acp.node.data-dir>/pki/ca.crt).")
    Path ca;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "API key (default: env ACP_API_KEY, else the file <acp.node.data-dir>/admin.key).")
    String apiKey;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the node's answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** Parses --tcp at option time, so a bad value is a usage error (exit 2). */
    static final class TcpConverter implements ITypeConverter<ApiEndpoint.Tcp> {
        @Override
        public ApiEndpoint.Tcp convert(String value) {
            try {
                return ApiEndpoint.parseTcp(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
