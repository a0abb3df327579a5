package io.acp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's one process runner, against real programs. */
class HostProcessTest {

    @Test
    void answersExitCodeAndBothStreams() {
        HostProcess.Outcome outcome = HostProcess.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
        HostProcess.Outcome.Exited exited = assertInstanceOf(HostProcess.Outcome.Exited.class, outcome);
        assertEquals(3, exited.code());
        assertFalse(exited.ok());
        assertEquals("out\n", exited.out());
        assertEquals("err\n", exited.err());
    }

    @Test
    void aChattyProgramNeverStallsOnAFullPipe() {
        // 4 MB on each stream: far more than a pipe holds, so both must be read while it runs.
        HostProcess.Outcome outcome = HostProcess.run(
                List.of("sh", "-c", "head -c 4194304 /dev/zero; head -c 4194304 /dev/zero >&2"), Duration.ofSeconds(30));
        HostProcess.Outcome.Exited exited = assertInstanceOf(HostProcess.Outcome.Exited.class, outcome);
        assertTrue(exited.ok());
        assertEquals(4194304, exited.out().length());
        assertEquals(4194304, exited.err().length());
    }

    @Test
    void aProgramPastItsDeadlineIsKilledWithItsChildren(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("child.pid");
        HostProcess.Outcome outcome = HostProcess.run(
                List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"), Duration.ofMillis(500));
        assertInstanceOf(HostProcess.Outcome.TimedOut.class, outcome);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        // destroyForcibly sends SIGKILL; the child is gone once the kernel has reaped it.
        for (int i = 0; i < 100 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child of a killed program survived it");
    }

    @Test
    void aMissingProgramIsNotStartedWithTheReason() {
        HostProcess.Outcome outcome = HostProcess.run(List.of("/nonexistent/acp-no-such-tool"), Duration.ofSeconds(5));
        HostProcess.Outcome.NotStarted notStarted = assertInstanceOf(HostProcess.Outcome.NotStarted.class, outcome);
        assertTrue(notStarted.why().contains("acp-no-such-tool"), notStarted.why());
    }

    @Test
    void theEnvironmentIsAddedAndStdinIsEmpty() {
        HostProcess.Outcome outcome = HostProcess.run(List.of("sh", "-c", "cat; echo \"$ACP_PROBE\""), Duration.ofSeconds(10),
                Map.of("ACP_PROBE", "seen"));
        assertEquals("seen\n", assertInstanceOf(HostProcess.Outcome.Exited.class, outcome).out());
    }
}
