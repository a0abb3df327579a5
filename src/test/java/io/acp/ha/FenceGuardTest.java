package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fence guard with real processes: a {@link GuardFeeder} process feeds a real guard (bash) as the
 * ha service does, naming a real child process ({@code sleep}) as the VMM of an HA system. When the
 * feeder dies ({@code kill -9}) or hangs (SIGSTOP), the VMM lives until the last lease end it was
 * told and dies then, not before; renewals before that keep it alive past the first lease end. A
 * regular file stands in for the watchdog device: the guard writes one pet per tick and, after a
 * dead feeder's VMMs are killed, the magic close 'V' (a hung feeder gets no magic close: the device
 * would reboot the machine).
 */
class FenceGuardTest {

    private static final long LEASE_MILLIS = 1_000;
    /** 10 ticks 200 ms apart: 2 s of renewals, longer than one lease. */
    private static final int TICKS = 10;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private long guardPid = -1;

    @AfterEach
    void killEverything() {
        processes.forEach(Process::destroyForcibly);
        if (guardPid > 0) {
            ProcessHandle.of(guardPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private record Fed(Process feeder, long guardPid, long deadline) {
    }

    private Process vmm() throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        processes.add(p);
        return p;
    }

    /** Starts a feeder for {@code vmm}; returns once it fed every tick, with the last lease end it told (a lower bound). */
    private Fed feed(Process vmm, Path device, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process feeder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                GuardFeeder.class.getName(), Long.toString(LEASE_MILLIS), Integer.toString(TICKS), Long.toString(vmm.pid()), device.toString())
                .redirectError(log.toFile())
                .start();
        processes.add(feeder);
        BufferedReader out = new BufferedReader(new InputStreamReader(feeder.getInputStream(), StandardCharsets.UTF_8));
        long guard = -1;
        long deadline = -1;
        int deadlines = 0;
        for (String line = out.readLine(); line != null && !line.equals("fed"); line = out.readLine()) {
            if (line.startsWith("guard ")) {
                guard = Long.parseLong(line.substring(6));
                guardPid = guard;
            } else if (line.startsWith("deadline ")) {
                deadline = Long.parseLong(line.substring(9));
                deadlines++;
            }
        }
        assertThat(deadlines).as("ticks fed; feeder log:\n%s", Files.readString(log)).isEqualTo(TICKS);
        return new Fed(feeder, guard, deadline);
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long left = epochMillis - System.currentTimeMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    private static void signal(long pid, String name) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor()).isZero();
    }

    /** Asserts {@code vmm} is alive shortly before {@code deadline} and dies at or after it; answers when it was seen dead. */
    private static long diesAtTheLeaseEnd(Process vmm, long deadline) throws Exception {
        sleepUntil(deadline - 150);
        assertThat(vmm.isAlive()).as("the VMM before the lease end").isTrue();
        assertThat(vmm.waitFor(deadline + 10_000 - System.currentTimeMillis(), TimeUnit.MILLISECONDS)).as("the VMM dies at the lease end").isTrue();
        long seen = System.currentTimeMillis();
        assertThat(seen).as("the VMM was killed at or after the lease end").isGreaterThanOrEqualTo(deadline);
        return seen;
    }

    @Test
    void aKilledFeedersVmmDiesAtTheLeaseEndNotBeforeAndTheGuardDisarmsTheWatchdogAndLeaves() throws Exception {
        Process vmm = vmm();
        Path device = dir.resolve("watchdog");
        Path log = dir.resolve("feeder.log");
        Fed fed = feed(vmm, device, log);
        assertThat(vmm.isAlive()).as("renewals kept the VMM alive past the first lease end").isTrue();

        fed.feeder().destroyForcibly(); // kill -9
        assertThat(fed.feeder().waitFor(10, TimeUnit.SECONDS)).isTrue();
        diesAtTheLeaseEnd(vmm, fed.deadline());

        Optional<ProcessHandle> guard = ProcessHandle.of(fed.guardPid());
        if (guard.isPresent()) {
            guard.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(device)).as("one pet per tick, then the magic close").isEqualTo(".".repeat(TICKS) + "V");
        assertThat(Files.readString(log)).contains("killed VMM " + vmm.pid()).contains("acp closed the guard's input");
    }

    @Test
    void aHungFeedersVmmDiesAtTheLeaseEndAndTheWatchdogIsLeftArmed() throws Exception {
        Process vmm = vmm();
        Process bystander = vmm();
        Path device = dir.resolve("watchdog");
        Path log = dir.resolve("feeder.log");
        Fed fed = feed(vmm, device, log);

        signal(fed.feeder().pid(), "STOP"); // a hung acp: alive, its pipe open, silent
        diesAtTheLeaseEnd(vmm, fed.deadline());

        assertThat(ProcessHandle.of(fed.guardPid()).map(ProcessHandle::isAlive)).as("the guard waits for acp to come back").contains(true);
        assertThat(Files.readString(device)).as("no pets while hung, no magic close").isEqualTo(".".repeat(TICKS));
        assertThat(bystander.isAlive()).as("a process the guard was not told about").isTrue();
        signal(fed.feeder().pid(), "CONT");
    }
}
