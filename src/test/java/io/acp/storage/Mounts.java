package io.acp.storage;

import io.acp.storage.common.CommandRunner;
import java.util.List;

/** Runs mount and friends for tests, failing with what the command said. */
final class Mounts {

    private Mounts() {
    }

    static String run(String... command) {
        CommandRunner.Result r = new CommandRunner(java.time.Duration.ofSeconds(30)).exec(List.of(command));
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + CommandRunner.firstLines(r));
        }
        return r.out();
    }

    /** Like {@link #run} but ignores failure (clean-up of what may already be gone). */
    static void quietly(String... command) {
        new CommandRunner(java.time.Duration.ofSeconds(30)).exec(List.of(command));
    }
}
