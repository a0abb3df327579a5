package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.ApiConfig;
import io.acp.node.NodeConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.WithDefault;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's two settings, read without the application, as the node's mappings read them. */
class ClientConfigurationTest {

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(ClientConfiguration.SOCKET);
        System.clearProperty("quarkus.config.locations");
    }

    @Test
    void defaultsAreTheMappingsDefaults() throws Exception {
        assertThat(ApiConfig.class.getMethod("socket").getAnnotation(WithDefault.class).value()).isEqualTo(ClientConfiguration.SOCKET_DEFAULT);
        assertThat(NodeConfig.class.getMethod("dataDir").getAnnotation(WithDefault.class).value()).isEqualTo(ClientConfiguration.DATA_DIR_DEFAULT);
    }

    @Test
    void theNodeConfigFileIsRead() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, """
                acp.api.socket=/from/file.sock
                %prod.acp.node.data-dir=${user.home}/prod-data
                %dev.acp.node.data-dir=/dev-data
                """);
        System.setProperty("quarkus.config.locations", file.toString());
        SmallRyeConfig config = ClientConfiguration.read();
        assertThat(config.getValue(ClientConfiguration.SOCKET, String.class)).isEqualTo("/from/file.sock");
        assertThat(config.getValue(ClientConfiguration.DATA_DIR, String.class)).as("the prod profile, expressions expanded")
                .isEqualTo(System.getProperty("user.home") + "/prod-data");

        // As in the node (checked against the application): the file named by a system property
        // ranks as that property does, and comes first among equals.
        System.setProperty(ClientConfiguration.SOCKET, "/from/property.sock");
        assertThat(ClientConfiguration.read().getValue(ClientConfiguration.SOCKET, String.class)).isEqualTo("/from/file.sock");
    }

    @Test
    void aSystemPropertyIsRead() {
        System.setProperty(ClientConfiguration.SOCKET, "/from/property.sock");
        assertThat(ClientConfiguration.read().getValue(ClientConfiguration.SOCKET, String.class)).isEqualTo("/from/property.sock");
        assertThat(ClientConfiguration.read().getValue(ClientConfiguration.DATA_DIR, String.class)).isEqualTo("/var/lib/acp");
    }
}
