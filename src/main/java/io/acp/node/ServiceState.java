package io.acp.node;

import java.util.Locale;

/** Lifecycle states of a managed service, as published in its meta. */
public enum ServiceState {
    STOPPED, STARTING, RUNNING, FAILED, STOPPING;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
