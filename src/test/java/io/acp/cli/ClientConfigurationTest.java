package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.api.ApiConfig;
import io.acp.node.NodeConfig;
import io.quarkus.runtime.configuration.RuntimeConfigBuilder;
import io.smallrye.config.PropertiesLocationConfigSourceFactory;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's two settings, read without the application, as the node's configuration reads
 * them: every case is checked against SmallRye Config built the way Quarkus builds the node's.
 */
class ClientConfigurationTest {

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        for (String key : List.of(ClientConfiguration.SOCKET, ClientConfiguration.DATA_DIR, ClientConfiguration.LOCATIONS, "quarkus.profile",
                "%prod." + ClientConfiguration.SOCKET, "acp.test.base")) {
            System.clearProperty(key);
        }
    }

    @Test
    void defaultsAreTheMappingsDefaults() throws Exception {
        assertThat(ApiConfig.class.getMethod("socket").getAnnotation(WithDefault.class).value()).isEqualTo(ClientConfiguration.SOCKET_DEFAULT);
        assertThat(NodeConfig.class.getMethod("dataDir").getAnnotation(WithDefault.class).value()).isEqualTo(ClientConfiguration.DATA_DIR_DEFAULT);
        assertSameAsTheNode();
    }

    @Test
    void theNodeConfigFileIsRead() throws Exception {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, """
                acp.api.socket=/from/file.sock
                %prod.acp.node.data-dir=${user.home}/prod-data
                %dev.acp.node.data-dir=/dev-data
                """);
        System.setProperty(ClientConfiguration.LOCATIONS, file.toString());
        assertThat(ClientConfiguration.read().value(ClientConfiguration.SOCKET, "-")).isEqualTo("/from/file.sock");
        assertThat(ClientConfiguration.read().value(ClientConfiguration.DATA_DIR, "-")).as("the prod profile, expressions expanded")
                .isEqualTo(System.getProperty("user.home") + "/prod-data");
        assertSameAsTheNode();

        // The file named by a system property ranks as that property does, and comes first among equals.
        System.setProperty(ClientConfiguration.SOCKET, "/from/property.sock");
        assertThat(ClientConfiguration.read().value(ClientConfiguration.SOCKET, "-")).isEqualTo("/from/file.sock");
        assertSameAsTheNode();

        System.setProperty("quarkus.profile", "dev");
        assertThat(ClientConfiguration.read().value(ClientConfiguration.DATA_DIR, "-")).isEqualTo("/dev-data");
        assertSameAsTheNode();
    }

    @Test
    void aSystemPropertyIsRead() {
        System.setProperty(ClientConfiguration.SOCKET, "/from/property.sock");
        assertThat(ClientConfiguration.read().value(ClientConfiguration.SOCKET, "-")).isEqualTo("/from/property.sock");
        assertThat(ClientConfiguration.read().value(ClientConfiguration.DATA_DIR, ClientConfiguration.DATA_DIR_DEFAULT)).isEqualTo("/var/lib/acp");
        assertSameAsTheNode();
    }

    @Test
    void theProfilesKeyBeatsThePlainKeyOfItsRankOrLower() throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "%prod.acp.api.socket=/profiled/in/file.sock\nacp.node.data-dir=${acp.test.base:/fallback}/data\n");
        System.setProperty(ClientConfiguration.LOCATIONS, file.toString());
        System.setProperty(ClientConfiguration.SOCKET, "/plain/property.sock");
        assertSameAsTheNode();
        System.setProperty("acp.test.base", "/base");
        System.setProperty("%prod." + ClientConfiguration.SOCKET, "/profiled/property.sock");
        assertThat(ClientConfiguration.read().value(ClientConfiguration.DATA_DIR, "-")).isEqualTo("/base/data");
        assertSameAsTheNode();
    }

    @Test
    void whatItDoesNotReadAsTheNodeWouldGoesToTheApplication() throws Exception {
        Path a = dir.resolve("a.properties");
        Files.writeString(a, "acp.api.socket=/a.sock\n");
        System.setProperty(ClientConfiguration.LOCATIONS, a + "," + a);
        assertThatThrownBy(ClientConfiguration::read).isInstanceOf(ClientConfiguration.Unsupported.class);
        System.setProperty(ClientConfiguration.LOCATIONS, a.toString());
        System.setProperty(ClientConfiguration.DATA_DIR, "${acp.test.nothing}/x");
        assertThatThrownBy(() -> ClientConfiguration.read().value(ClientConfiguration.DATA_DIR, "-")).isInstanceOf(ClientConfiguration.Unsupported.class);
        System.setProperty(ClientConfiguration.DATA_DIR, "");
        assertThatThrownBy(() -> ClientConfiguration.read().value(ClientConfiguration.DATA_DIR, "-")).isInstanceOf(ClientConfiguration.Unsupported.class);
    }

    /** Both settings as this reader and the node's SmallRye Config read them now. */
    private static void assertSameAsTheNode() {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder();
        new RuntimeConfigBuilder().configBuilder(builder);
        SmallRyeConfig node = builder.withSources(new PropertiesLocationConfigSourceFactory())
                .withDefaultValue(ClientConfiguration.SOCKET, ClientConfiguration.SOCKET_DEFAULT)
                .withDefaultValue(ClientConfiguration.DATA_DIR, ClientConfiguration.DATA_DIR_DEFAULT)
                .build();
        ClientConfiguration ours = ClientConfiguration.read();
        assertThat(ours.value(ClientConfiguration.SOCKET, ClientConfiguration.SOCKET_DEFAULT)).isEqualTo(node.getValue(ClientConfiguration.SOCKET, String.class));
        assertThat(ours.value(ClientConfiguration.DATA_DIR, ClientConfiguration.DATA_DIR_DEFAULT)).isEqualTo(node.getValue(ClientConfiguration.DATA_DIR, String.class));
    }
}
