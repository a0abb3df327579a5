package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command run on this machine (virsh, qemu-img, ip, scripts/...): its exit code and its output, stderr merged in. */
record HostRun(int exit, String output) {

    /** Runs {@code cmd} to its end, failing the test if it takes longer than {@code limit}. */
    static HostRun of(Duration limit, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)).as("%s finished", List.of(cmd)).isTrue();
        return new HostRun(p.exitValue(), out);
    }
}
