package io.acp.console;

import java.util.Locale;

/** Which console of a system: its graphical display (VNC) or its first serial port (a pty on its node). */
public enum ConsoleKind {
    VNC,
    SERIAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code name} ("vnc" or "serial"); IllegalArgumentException naming both otherwise. */
    public static ConsoleKind parse(String name) {
        for (ConsoleKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("console kind '" + name + "' is not one of vnc, serial");
    }
}
