package io.acp.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command run on this machine (virsh, qemu-img, ip, scripts/...): its exit code and its output, stderr merged in. */
record HostRun(int exit, String output) {

    /**
     * Runs {@code cmd} to its end, failing the test if it takes longer than {@code limit}. The output
     * goes to a file, not a pipe read to its end: a command that never ends (a virsh waiting on a
     * stuck libvirtd) must not hold the test for ever, and the failure shows what it had printed.
     */
    static HostRun of(Duration limit, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("acp-hostrun-", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("%s did not finish within %s; its output so far:%n%s", List.of(cmd), limit, Files.readString(out, StandardCharsets.UTF_8));
            }
            return new HostRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
