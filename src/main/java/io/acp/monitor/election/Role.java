package io.acp.monitor.election;

import java.util.Locale;

/** A monitor's role: only the primary raises and clears alarms and publishes the health stats. */
public enum Role {
    PRIMARY, SECONDARY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
