package io.acp.it;

import io.acp.testing.Ports;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of packaged nodes that run {@code services} and sync over loopback multicast on a
 * group and port of this test's own, so tests running side by side never meet. Each test adds its
 * heap, secret and journal options.
 */
final class LoopbackSync {

    private LoopbackSync() {
    }

    static List<String> options(String services, String... more) {
        List<String> out = new ArrayList<>(List.of(
                "-Dacp.node.services=" + services,
                "-Dacp.cluster.sync.enabled=true",
                "-Dacp.cluster.sync.group=" + Ports.randomGroup(),
                "-Dacp.cluster.sync.port=" + Ports.freeUdpPort()));
        out.addAll(List.of(more));
        return List.copyOf(out);
    }
}
