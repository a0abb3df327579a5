package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The host's libvirtd on {@code qemu:///system}, as the tests that boot real guests use it. */
final class HostLibvirt {

    static final String URI = "qemu:///system";

    private HostLibvirt() {
    }

    /** Fails the test unless libvirtd answers on {@link #URI} (scripts/libvirtd-up starts it; scripts/test runs it). */
    static void requireRunning() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("virsh", "-c", URI, "version").redirectErrorStream(true).start();
        String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0)
                .as("libvirtd must answer on %s (scripts/libvirtd-up starts it; scripts/test runs it): %s", URI, said).isTrue();
    }

    /**
     * Starts node {@code nodeId} in {@code dir} on {@link #URI}, once libvirtd answers there, with a
     * reconcile every 2 s (so a guest changed behind the node's back is seen within a test's wait) and
     * {@code moreOptions} after those.
     */
    static NodeProcess startNode(String nodeId, Path dir, String... moreOptions) throws IOException, InterruptedException {
        requireRunning();
        List<String> options = new ArrayList<>(List.of("-Dacp.hypervisor.uri=" + URI, "-Dacp.hypervisor.reconcile-interval=2s"));
        options.addAll(List.of(moreOptions));
        return NodeProcess.start(nodeId, dir, List.of(), options);
    }

    /** Node {@code node}'s latest {@code what} ("meta" or "stats") of system {@code id}, through the API; an empty object if it has none. */
    static com.fasterxml.jackson.databind.JsonNode systemReport(io.acp.api.client.ApiClient api, String what, String id, String node) {
        com.fasterxml.jackson.databind.JsonNode r = api.call("cluster", what,
                io.acp.model.Json.object().put("type", "system").put("id", id).put("node", node));
        return r.isEmpty() ? io.acp.model.Json.object() : r.get(0).path("values");
    }

    /** {@code virsh -c qemu:///system ARGS}: what it printed (both streams), whatever its exit code. */
    static String virsh(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", URI));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Destroys and undefines the domains {@code ids} wherever they are left, so a failed test leaves no guest. */
    static void removeDomains(List<String> ids) throws IOException, InterruptedException {
        for (String id : ids) {
            virsh("destroy", id);
            virsh("undefine", id);
        }
    }
}
