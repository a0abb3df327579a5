package io.acp.cluster.sync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's UDP receive-buffer drops (RcvbufErrors in /proc/net/snmp): datagrams the kernel threw
 * away because a socket's buffer was full. The nodes never see these, so their own counters cannot
 * tell them. Host-wide: other processes' sockets count too. -1 where /proc is not there.
 */
final class KernelUdpCounters {

    private KernelUdpCounters() {
    }

    static long receiveBufferDrops() {
        try {
            List<String> udp = Files.readAllLines(Path.of("/proc/net/snmp")).stream().filter(l -> l.startsWith("Udp: ")).toList();
            List<String> names = List.of(udp.get(0).split("\\s+"));
            return Long.parseLong(udp.get(1).split("\\s+")[names.indexOf("RcvbufErrors")]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
