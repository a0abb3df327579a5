package io.acp.api;

import java.time.Duration;

/** {@link ApiConfig.Tasks} as plain values: for configurations built in code (the agent's connections, tests). */
public record TaskLimits(int maxCount, Duration maxAge) implements ApiConfig.Tasks {

    /** The defaults of acp.api.tasks.*, as docs/configuration.md states them. */
    public static final TaskLimits DEFAULTS = new TaskLimits(1000, Duration.ofDays(7));
}
