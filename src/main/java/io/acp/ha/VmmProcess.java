package io.acp.ha;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A VMM process as the fence guard kills it: its pid and its start time in clock ticks since boot
 * (field 22 of {@code /proc/<pid>/stat}), so that a pid the kernel has since given to another
 * process is never killed.
 */
record VmmProcess(long pid, long startTicks) {

    /** The process {@code pid} now, or empty if there is none (or /proc cannot say). */
    static Optional<VmmProcess> of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new VmmProcess(pid, Long.parseLong(after[19])));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }

    /** As the guard reads it: {@code pid:startTicks}. */
    String wire() {
        return pid + ":" + startTicks;
    }
}
