package io.acp.webapi;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import java.util.Arrays;

/**
 * Decides {@code quarkus.http.host-enabled}: Quarkus would bind its HTTP port in every {@code acp}
 * invocation, so {@code acp status} would collide with the node's port. The listener exists only
 * when {@code acp node run} launched this JVM ({@link #NODE_RUN}, set by io.acp.cli.AcpMain, or by
 * a test) and {@code acp.node.services} names {@code webapi}. Registered through
 * META-INF/services, so it sees every config source (system properties, environment, config files).
 */
public final class HttpSwitch implements ConfigSourceInterceptor {

    /** Internal property: "true" in the JVM of {@code acp node run}. */
    public static final String NODE_RUN = "acp.launch.node-run";
    static final String HOST_ENABLED = "quarkus.http.host-enabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!HOST_ENABLED.equals(name)) {
            return context.proceed(name);
        }
        boolean serve = isTrue(context.proceed(NODE_RUN)) && runsWebApi(context.proceed("acp.node.services"));
        return ConfigValue.builder()
                .withName(name)
                .withValue(Boolean.toString(serve))
                .withRawValue(Boolean.toString(serve))
                .withConfigSourceName("acp node run with webapi")
                .build();
    }

    private static boolean isTrue(ConfigValue v) {
        return v != null && "true".equalsIgnoreCase(v.getValue());
    }

    private static boolean runsWebApi(ConfigValue services) {
        return services != null && services.getValue() != null
                && Arrays.stream(services.getValue().split(",")).map(String::trim).anyMatch("webapi"::equals);
    }
}
