package io.acp.ha;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The fence guard: a small child process that outlives a dead or hung {@code acp} and kills this
 * node's HA VMMs when the node's lease ends without a renewal, before any survivor may start them
 * (survivors wait for the lease end plus the fencing bound plus the margin).
 *
 * <p>Why a separate process, and why bash: the in-process {@link Fencing} dies with the JVM
 * ({@code kill -9}) and stops with it (a GC stall, a deadlock), so the guard must share nothing with
 * the JVM: no threads, no heap, no safepoints. A POSIX shell loop ({@code read -t}, {@code kill})
 * needs no second JVM (a Quarkus start per node, ~50 MB), is present on every host that runs
 * libvirt, and does one thing: kill at a deadline. It ignores SIGTERM/SIGINT/SIGHUP (systemd stopping
 * the unit, a ^C on {@code acp node run}) and leaves once its work is done.
 *
 * <p>Protocol, one line per ownership tick on the guard's stdin:
 * {@code lease <remaining ms> [<pid>:<start ticks> ...]}: the lease ends {@code remaining} ms from
 * now (0: no lease) and these VMMs run HA systems here. The guard kills them (after checking each
 * pid still has that start time) once its own clock passes the last deadline it was told. A line is
 * also the heartbeat: each one pets {@code /dev/watchdog} (when configured) and, at most once a
 * second, tells systemd {@code WATCHDOG=1}, so a hung {@code acp} is restarted by systemd or its
 * machine rebooted by the watchdog device. Under systemd ({@code NOTIFY_SOCKET} set; the unit has
 * {@code NotifyAccess=all}, as the guard is not the main process) the guard first sends
 * {@code WATCHDOG_USEC}: that turns on the unit's watchdog at run time, on HA nodes only (a
 * {@code WatchdogSec} in the unit would kill every node without the ha service, where nothing pets it). On
 * end of input ({@code acp} died or closed the guard) it waits for the deadline, kills, disarms the
 * watchdog device (magic close: the VMMs are dead, nothing left to fence) and exits.
 */
final class FenceGuard implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FenceGuard.class);

    /**
     * The guard itself. $1: watchdog device path or ""; $2: the systemd watchdog timeout in µs, 0 for
     * none (used only when systemd passed NOTIFY_SOCKET). Needs bash 5 ($EPOCHREALTIME).
     */
    static final String SCRIPT = """
            set -u
            trap '' TERM INT HUP
            export LC_ALL=C
            dev=${1:-}
            sd_usec=${2:-0}
            [ -n "${NOTIFY_SOCKET:-}" ] || sd_usec=0
            deadline=0; eof=0; notified=0
            vmms=()
            now() { local t=${EPOCHREALTIME//[.,]/}; NOW=$(( 10#$t / 1000 )); }
            say() { now; echo "acp fence guard $$: $NOW: $*" >&2; }
            if [ -n "$dev" ]; then exec 3>"$dev" || { say "cannot open watchdog device $dev"; dev=; }; fi
            # systemd-notify waits until systemd has read the message (so it is credited to this unit):
            # in the background, bounded, so the guard never waits on it.
            notify() { timeout 5 systemd-notify "$@" </dev/null >/dev/null 2>&1 & }
            pet() {
              [ -n "$dev" ] && printf '.' >&3
              if (( sd_usec > 0 && NOW - notified >= 1000 )); then
                notify WATCHDOG=1; notified=$NOW
              fi
            }
            fence() {
              local v pid start stat rest f
              for v in "${vmms[@]}"; do
                pid=${v%%:*}; start=${v#*:}
                stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
                rest=${stat##*) }; read -r -a f <<< "$rest"
                [ "${f[19]:-}" = "$start" ] || continue
                kill -9 "$pid" 2>/dev/null && say "lease ended without a renewal: killed VMM $pid"
              done
              vmms=()
            }
            say "watching the HA lease of acp pid $PPID"
            if (( sd_usec > 0 )); then
              # In the foreground (bounded): systemd must see the timeout before the first WATCHDOG=1.
              timeout 2 systemd-notify "WATCHDOG_USEC=$sd_usec" </dev/null >/dev/null 2>&1
              say "asked systemd for a watchdog of $sd_usec us on this unit"
            fi
            while :; do
              now
              if (( deadline > 0 && NOW >= deadline )); then
                fence; deadline=0
              fi
              if (( eof )); then
                if (( deadline == 0 )); then
                  [ -n "$dev" ] && { printf 'V' >&3; exec 3>&-; }
                  say "acp is gone and no lease is left: exiting"; exit 0
                fi
                sleep "$(( (deadline - NOW) / 1000 )).$(printf '%03d' $(( (deadline - NOW) % 1000 )))"
                continue
              fi
              wait=1000
              (( deadline > 0 && deadline - NOW < wait )) && wait=$(( deadline - NOW ))
              (( wait < 1 )) && wait=1
              if read -r -t "$(( wait / 1000 )).$(printf '%03d' $(( wait % 1000 )))" word remaining rest; then
                now
                if [ "$word" = lease ]; then
                  if (( remaining > 0 )); then deadline=$(( NOW + remaining )); else deadline=$NOW; fi
                  read -r -a vmms <<< "${rest:-}"
                  pet
                fi
              elif (( $? <= 128 )); then
                eof=1; say "acp closed the guard's input (it exited or died)"
              fi
            done
            """;

    private final Process process;
    private final OutputStream in;
    private boolean broken;

    private FenceGuard(Process process) {
        this.process = process;
        this.in = process.getOutputStream();
    }

    /**
     * Starts the guard; its stderr is {@code acp}'s (the journal), its environment {@code acp}'s
     * ({@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC}).
     */
    static FenceGuard start(Optional<Path> watchdogDevice, java.time.Duration systemdWatchdog) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", SCRIPT, "acp-fence-guard", watchdogDevice.map(Path::toString).orElse(""),
                Long.toString(systemdWatchdog.toNanos() / 1000)));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("LC_ALL", "C");
        return new FenceGuard(pb.start());
    }

    long pid() {
        return process.pid();
    }

    /**
     * Tells the guard the lease ends {@code remainingMillis} from now (0 or less: no lease) and
     * which VMMs to kill then. Called on the ownership thread every tick; a write to a pipe of a
     * live reader does not block for lines this short.
     */
    void lease(long remainingMillis, Collection<VmmProcess> vmms) {
        StringBuilder line = new StringBuilder("lease ").append(Math.max(0, remainingMillis));
        for (VmmProcess v : vmms) {
            line.append(' ').append(v.wire());
        }
        line.append('\n');
        try {
            in.write(line.toString().getBytes(StandardCharsets.US_ASCII));
            in.flush();
        } catch (IOException e) {
            if (!broken) {
                broken = true;
                LOG.errorf("the HA fence guard (pid %d) does not read its input: %s; a dead acp will leave its HA systems running"
                        + " until fencing in a restarted acp stops them", process.pid(), e.getMessage());
            }
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Closes the guard's input: it kills the VMMs it knows at the last lease end told, then exits. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the guard is gone already
        }
    }
}
