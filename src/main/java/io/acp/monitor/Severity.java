package io.acp.monitor;

import java.util.Locale;

/** How urgent an alarm is, most urgent first; the wire names are the contract's. */
public enum Severity {
    CRITICAL, MAJOR, MINOR, WARNING;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws naming the valid ones. */
    public static Severity parse(String s) {
        for (Severity v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("severity '" + s + "' is not one of critical, major, minor, warning");
    }
}
