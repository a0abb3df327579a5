package io.acp.hypervisor;

import java.util.Locale;

/** What a system is doing on a node, as reported in its meta. */
public enum SystemState {
    RUNNING, PAUSED, STOPPED, FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
