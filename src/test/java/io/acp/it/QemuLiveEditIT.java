package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code system set} on a real guest: the packaged node on {@code qemu:///system} (as in
 * {@link QemuGuestIT}; run under {@code flock /tmp/acp-qemu.lock}) hot-plugs a vCPU into a running
 * diskless guest started with room for it, as {@code virsh dominfo} shows, and leaves a change above
 * the maximum pending, and hot-plugs a disk added at the end of its list. Memory is not checked here: a guest without a balloon driver (this one has no
 * OS) never moves its balloon, whatever libvirt is told.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QemuLiveEditIT {

    private static final String ID = "acp-qemu-live-" + ProcessHandle.current().pid();
    private static final String PLUG = "acp-qemu-plug-" + ProcessHandle.current().pid();

    @TempDir
    static Path dir;

    static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception {
        node = HostLibvirt.startNode("qemu1", java.nio.file.Files.createDirectories(dir.resolve("node")),
                "-Dacp.hypervisor.allowed-device-paths=" + dir);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            HostLibvirt.removeDomains(List.of(ID, PLUG));
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static String virsh(String... args) throws IOException, InterruptedException {
        return HostLibvirt.virsh(args);
    }

    private static ObjectNode set(String changes) throws IOException {
        return set(ID, changes);
    }

    private static ObjectNode set(String id, String changes) throws IOException {
        ObjectNode args = Json.object().put("id", id);
        args.set("spec", Json.MAPPER.readTree(changes));
        return args;
    }

    @Test
    void aRunningGuestGetsAVcpuHotPluggedUpToItsMaximum() throws Exception {
        try (ApiClient api = node.client()) {
            ObjectNode create = Json.object().put("id", ID).put("start", true);
            create.set("spec", Json.object().put("vcpus", 1).put("maxVcpus", 2).put("memory", 64).put("maxMemory", 128));
            assertThat(api.call("hypervisor", "create", create).path("state").asText()).isEqualTo("running");
            assertThat(virsh("dominfo", ID)).containsPattern("CPU\\(s\\):\\s+1\\n").containsPattern("Max memory:\\s+131072 KiB");

            JsonNode live = api.call("hypervisor", "set", set("{\"vcpus\":2}"));
            assertThat(live.path("fields").path("vcpus").path("applied").asText()).as("%s", live).isEqualTo("live");
            assertThat(virsh("dominfo", ID)).as("hot-plugged").containsPattern("CPU\\(s\\):\\s+2\\n");

            JsonNode over = api.call("hypervisor", "set", set("{\"vcpus\":3,\"maxVcpus\":4}"));
            assertThat(over.path("fields").path("vcpus").path("why").asText()).as("%s", over).contains("above the maximum of 2 vCPUs defined at start");
            assertThat(virsh("dominfo", ID)).containsPattern("CPU\\(s\\):\\s+2\\n");

            assertThat(api.call("hypervisor", "stop", Json.object().put("id", ID)).path("state").asText()).isEqualTo("stopped");
            assertThat(api.call("hypervisor", "start", Json.object().put("id", ID)).path("state").asText()).isEqualTo("running");
            assertThat(virsh("dominfo", ID)).as("the pending change at the next start").containsPattern("CPU\\(s\\):\\s+3\\n");
            assertThat(virsh("vcpucount", ID, "--live", "--maximum")).isEqualTo("4");
            assertThat(api.call("hypervisor", "delete", Json.object().put("id", ID).put("force", true)).path("deleted").asBoolean()).isTrue();
        }
    }

    @Test
    void aDiskAddedAtTheEndIsHotPluggedIntoARunningGuest() throws Exception {
        java.nio.file.Path extra = dir.resolve("extra.qcow2");
        assertThat(run("qemu-img", "create", "-f", "qcow2", extra.toString(), "8M")).contains("Formatting");
        String disk = "{\"path\":\"" + extra + "\",\"format\":\"qcow2\"}";
        try (ApiClient api = node.client()) {
            ObjectNode create = Json.object().put("id", PLUG).put("start", true);
            create.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
            assertThat(api.call("hypervisor", "create", create).path("state").asText()).isEqualTo("running");
            assertThat(virsh("domblklist", PLUG)).doesNotContain(extra.toString());

            JsonNode plugged = api.call("hypervisor", "set", set(PLUG, "{\"disks\":[" + disk + "]}"));
            assertThat(plugged.path("fields").path("disks").path("applied").asText()).as("%s", plugged).isEqualTo("live");
            assertThat(virsh("domblklist", PLUG)).as("in the running guest").contains(extra.toString());
            assertThat(virsh("dumpxml", PLUG, "--inactive")).as("and in its definition").contains(extra.toString());
            assertThat(virsh("domstate", PLUG)).isEqualTo("running");

            // Unplugging a PCI disk needs the guest's consent (ACPI), which this guest without an OS never gives: not checked here.
            assertThat(api.call("hypervisor", "delete", Json.object().put("id", PLUG).put("force", true)).path("deleted").asBoolean()).isTrue();
        }
    }
}
