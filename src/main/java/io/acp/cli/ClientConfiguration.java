package io.acp.cli;

import io.quarkus.runtime.configuration.RuntimeConfigBuilder;
import io.smallrye.config.PropertiesLocationConfigSourceFactory;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;

/**
 * The two settings a client command takes from the node's configuration, read without booting the
 * application: {@code acp.api.socket} (the default socket) and {@code acp.node.data-dir} (where the
 * admin key and the node's certificates are).
 *
 * <p>They are read from the sources the node's own configuration has, with the same precedence:
 * Quarkus' run-time builder (system properties, {@code ACP_…} environment variables, {@code .env},
 * {@code config/application.properties}, the application's {@code application.properties}, the
 * {@code prod} profile and {@code ${…}} expressions) plus the files named by
 * {@code quarkus.config.locations} (the launcher's node config file). The defaults are those of
 * {@link io.acp.api.ApiConfig#socket()} and {@link io.acp.node.NodeConfig#dataDir()}
 * (ClientConfigurationTest holds them equal).
 */
final class ClientConfiguration {

    static final String SOCKET = "acp.api.socket";
    static final String SOCKET_DEFAULT = "/run/acp/api.sock";
    static final String DATA_DIR = "acp.node.data-dir";
    static final String DATA_DIR_DEFAULT = "/var/lib/acp";

    private ClientConfiguration() {
    }

    /** A connector with the configured socket and data directory. */
    static ApiConnector connector() {
        SmallRyeConfig config = read();
        return new ApiConnector(Path.of(config.getValue(SOCKET, String.class)), Path.of(config.getValue(DATA_DIR, String.class)));
    }

    static SmallRyeConfig read() {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder();
        new RuntimeConfigBuilder().configBuilder(builder);
        return builder.withSources(new PropertiesLocationConfigSourceFactory())
                // as the mappings' defaults are: the lowest source, so an empty value is an error as in the node
                .withDefaultValue(SOCKET, SOCKET_DEFAULT)
                .withDefaultValue(DATA_DIR, DATA_DIR_DEFAULT)
                .build();
    }
}
