package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.ApiConfig;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.node.NodeConfig;
import io.acp.model.JsonTrees;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.security.PkiFiles;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens an {@link ApiClient} from a command's {@link ClientOptions}, filling what the options
 * leave out from the node's configuration: the socket path and the admin key file.
 */
@Singleton
public class ApiConnector {

    static final String KEY_ENV = "ACP_API_KEY";

    private final Path socket;
    private final Path dataDir;

    /** In the node's application ({@code acp node run} and the commands that need it): its mappings. */
    @Inject
    public ApiConnector(ApiConfig api, NodeConfig node) {
        this(api.socket(), node.dataDir());
    }

    /** The default socket ({@code acp.api.socket}) and the node's data directory ({@code acp.node.data-dir}). */
    ApiConnector(Path socket, Path dataDir) {
        this.socket = socket;
        this.dataDir = dataDir;
    }

    public ApiClient open(ClientOptions options) {
        ApiEndpoint endpoint = endpoint(options);
        Duration timeout = Duration.ofSeconds(Math.max(1, options.timeoutSeconds));
        String key = null;
        AcpException keyProblem = null;
        try {
            key = apiKey(options);
        } catch (AcpException e) {
            keyProblem = e;
        }
        // Connect before complaining about the key: "the node is not running" is the more useful answer.
        ApiClient client = ApiClient.connect(endpoint, key, timeout);
        if (keyProblem != null) {
            client.close();
            throw keyProblem;
        }
        return client;
    }

    /**
     * A client connected straight to {@code target}'s agent, for what the local node does not route
     * (watch streams): the agent address {@code target} published in its node meta, this node's own
     * certificate (or --key/--cert/--ca) as the TLS identity, and the same API key.
     */
    public ApiClient openAgentOf(String target, ApiClient local, ClientOptions options) {
        ObjectNode ref = JsonTrees.object().put("type", "node").put("id", target);
        JsonNode meta = local.call(null, "cluster", "meta", ref.deepCopy().put("node", target));
        String address = meta.size() == 0 ? null : meta.get(0).path("values").path("agent").asText(null);
        if (address == null || address.isBlank()) {
            // as the node's routing does: an address an operator put into the node object's spec
            try {
                address = local.call(null, "cluster", "get", ref).path("spec").path("agent").asText(null);
            } catch (AcpException notThere) {
                address = null;
            }
        }
        if (address == null || address.isBlank()) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + target + " has published no agent address in this node's cluster state;"
                    + " connect to it with --agent HOST:PORT");
        }
        ApiEndpoint.Tcp at = ApiEndpoint.parseTcp(address);
        PkiFiles own = PkiFiles.in(dataDir);
        ApiEndpoint endpoint = new ApiEndpoint.Tls(at.host(), at.port(),
                options.key != null ? options.key : own.nodeKey(),
                options.cert != null ? options.cert : own.nodeCertificate(),
                options.ca != null ? options.ca : own.caCertificate(), target);
        return ApiClient.connect(endpoint, apiKey(options), Duration.ofSeconds(Math.max(1, options.timeoutSeconds)));
    }

    private ApiEndpoint endpoint(ClientOptions options) {
        if (options.agent != null) {
            PkiFiles own = PkiFiles.in(dataDir);
            return new ApiEndpoint.Tls(options.agent.host(), options.agent.port(),
                    options.key != null ? options.key : own.nodeKey(),
                    options.cert != null ? options.cert : own.nodeCertificate(),
                    options.ca != null ? options.ca : own.caCertificate(), options.agentNode);
        }
        return options.tcp != null ? options.tcp : new ApiEndpoint.Unix(options.socket != null ? options.socket : socket);
    }

    /** --api-key, else $ACP_API_KEY, else the admin key file in the node's data directory. */
    String apiKey(ClientOptions options) {
        if (options.apiKey != null && !options.apiKey.isBlank()) {
            return options.apiKey.trim();
        }
        String env = System.getenv(KEY_ENV);
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = dataDir.resolve("admin.key");
        try {
            String key = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!key.isEmpty()) {
                return key;
            }
            throw noKey(file + " is empty");
        } catch (NoSuchFileException e) {
            throw noKey(file + " does not exist");
        } catch (IOException e) {
            throw noKey("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static AcpException noKey(String why) {
        return new AcpException(ErrorCode.UNAUTHORIZED, "no API key: pass --api-key KEY or set " + KEY_ENV
                + " (" + why + "; as root on the node, the admin key is read from there)");
    }
}
