package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.it.AcpApp.CliResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code acp node run} when a service cannot start: one line on stderr, exit 1, nothing left behind. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeStartFailureIT {

    @TempDir
    Path dir;

    @Test
    void aDataDirectoryThatIsAFileStopsTheStartWithOneLine() throws Exception {
        Path notADir = Files.writeString(dir.resolve("data"), "not a directory");
        Path socket = dir.resolve("api.sock");
        CliResult r = AcpApp.cli(dir, List.of("-Dacp.node.id=bad1", "-Dacp.node.data-dir=" + notADir, "-Dacp.api.socket=" + socket,
                "-Dacp.api.port=0"), Duration.ofSeconds(60), "node", "run");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.errors()).as("%s", r).singleElement().asString()
                .startsWith("acp: node bad1 failed to start: ")
                .contains(notADir.toString());
        assertThat(r.out()).noneSatisfy(l -> assertThat(l).contains("listening on"));
        assertThat(Files.exists(socket)).as("no socket left behind").isFalse();
    }

    @Test
    void aNonLoopbackApiHostIsRefused() throws Exception {
        Path socket = dir.resolve("api.sock");
        CliResult r = AcpApp.cli(dir, List.of("-Dacp.node.id=bad2", "-Dacp.node.data-dir=" + dir.resolve("data"), "-Dacp.api.socket=" + socket,
                "-Dacp.api.host=0.0.0.0", "-Dacp.api.port=0"), Duration.ofSeconds(60), "node", "run");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.errors()).as("%s", r).singleElement().asString()
                .startsWith("acp: node bad2 failed to start: ")
                .contains("0.0.0.0");
        assertThat(Files.exists(socket)).isFalse();
    }
}
