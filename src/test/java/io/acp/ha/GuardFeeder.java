package io.acp.ha;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A process that feeds a real {@link FenceGuard} as the ha service does, for {@link FenceGuardTest}
 * to kill with -9 or freeze: args are the lease in ms, how many ticks (200 ms apart) to feed, the
 * pid of the VMM stand-in, and the watchdog device path ("" for none). Prints "guard PID", then
 * "deadline EPOCH_MS" after each tick (a lower bound of the lease end the guard computes), then
 * "fed", and then sleeps until it is killed.
 */
public final class GuardFeeder {

    private GuardFeeder() {
    }

    public static void main(String[] args) throws Exception {
        long lease = Long.parseLong(args[0]);
        int ticks = Integer.parseInt(args[1]);
        VmmProcess vmm = VmmProcess.of(Long.parseLong(args[2])).orElseThrow();
        Optional<Path> device = args.length > 3 && !args[3].isEmpty() ? Optional.of(Path.of(args[3])) : Optional.empty();
        FenceGuard guard = FenceGuard.start(device, java.time.Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 0));
        System.out.println("guard " + guard.pid());
        for (int i = 0; i < ticks; i++) {
            long now = System.currentTimeMillis();
            guard.lease(lease, List.of(vmm));
            System.out.println("deadline " + (now + lease));
            Thread.sleep(200);
        }
        System.out.println("fed");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
