package io.acp.api;

import java.util.Locale;

/** What an API key may do. */
public enum Role {
    /** Everything, including key management (later issues). */
    ADMIN,
    /** Reads and writes cluster objects. */
    OPERATOR,
    /** Reads only. */
    READ_ONLY;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean mayWrite() {
        return this != READ_ONLY;
    }

    /** Parses {@code admin}, {@code operator} or {@code read-only}. */
    public static Role parse(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "'; expected admin, operator or read-only");
    }
}
