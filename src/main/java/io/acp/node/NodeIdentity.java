package io.acp.node;

import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** Who this node is and where it keeps its state, resolved once from {@link NodeConfig}. */
@Singleton
public class NodeIdentity {

    private final String id;
    private final Path dataDir;

    public NodeIdentity(NodeConfig config) {
        this.id = config.id().orElseGet(NodeIdentity::hostName);
        this.dataDir = config.dataDir().toAbsolutePath();
        // Node ids travel as object ids (node/<id>), so they obey the same rules.
        new io.acp.model.ObjectKey(io.acp.model.ObjectType.NODE, id);
    }

    public String id() {
        return id;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The host name of this machine (HOSTNAME, else what the resolver says). */
    public static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
