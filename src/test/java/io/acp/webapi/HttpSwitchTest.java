package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP listener exists only in {@code acp node run} with webapi among the node's services. */
class HttpSwitchTest {

    private static boolean hostEnabled(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withInterceptors(new HttpSwitch())
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build();
        return config.getValue("quarkus.http.host-enabled", Boolean.class);
    }

    @Test
    void onlyNodeRunWithWebApiServesHttp() {
        assertThat(hostEnabled(Map.of(HttpSwitch.NODE_RUN, "true", "acp.node.services", "cluster, api,webapi"))).isTrue();
        assertThat(hostEnabled(Map.of(HttpSwitch.NODE_RUN, "true", "acp.node.services", "cluster,api"))).isFalse();
        assertThat(hostEnabled(Map.of(HttpSwitch.NODE_RUN, "true"))).as("services not configured").isFalse();
        assertThat(hostEnabled(Map.of("acp.node.services", "cluster,api,webapi"))).as("acp status next to a node").isFalse();
        assertThat(hostEnabled(Map.of("acp.node.services", "webapi", "quarkus.http.host-enabled", "true")))
                .as("a client command cannot be talked into binding").isFalse();
    }
}
