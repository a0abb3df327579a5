package io.acp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./mvnw quarkus:dev} runs the node scripts/dev runs: the same services (web UI included),
 * every listener on loopback, a namespace of its own, and nothing that waits for a key.
 */
class DevProfileTest {

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    @Test
    void devModeRunsTheServicesScriptsDevRuns() throws IOException {
        String script = Files.readString(Path.of("scripts/dev"), StandardCharsets.UTF_8);
        Matcher services = Pattern.compile("-Dacp\\.node\\.services=(\\S+)").matcher(script);
        assertThat(services.find()).as("scripts/dev sets acp.node.services").isTrue();
        assertThat(applicationProperties().getProperty("%dev.acp.node.services")).isEqualTo(services.group(1)).contains("webapi");
    }

    @Test
    void devModeListensOnLoopbackOnlyInANamespaceOfItsOwn() throws IOException {
        Properties p = applicationProperties();
        for (String host : new String[] {"acp.api.host", "acp.agent.host", "acp.webapi.host"}) {
            assertThat(p.getProperty("%dev." + host, p.getProperty(host, "127.0.0.1"))).as(host).isEqualTo("127.0.0.1");
        }
        assertThat(p.getProperty("%dev.acp.agent.advertise")).startsWith("127.0.0.1:");
        assertThat(p.getProperty("%dev.acp.network.namespace")).isNotBlank();
        // Without it dev mode (which never runs AcpMain.main) would keep the web UI's listener closed.
        assertThat(p.getProperty("%dev.acp.launch.node-run")).isEqualTo("true");
        assertThat(p.getProperty("%dev.quarkus.console.enabled")).isEqualTo("false");
    }
}
