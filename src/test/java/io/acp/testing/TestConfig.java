package io.acp.testing;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * Builds real {@code @ConfigMapping}s from a few properties, with the documented defaults for the
 * rest, the way a node reads them, so tests need no hand-written config implementations.
 */
public final class TestConfig {

    private final SmallRyeConfig config;

    private TestConfig(SmallRyeConfig config) {
        this.config = config;
    }

    public static TestConfig of(Map<String, String> properties, Class<?>... mappings) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new DurationConverter()) // Quarkus' "5ms" form
                .withSources(new PropertiesConfigSource(properties, "test", 500));
        for (Class<?> m : mappings) {
            builder.withMapping(m);
        }
        return new TestConfig(builder.build());
    }

    public <T> T mapping(Class<T> type) {
        return config.getConfigMapping(type);
    }
}
