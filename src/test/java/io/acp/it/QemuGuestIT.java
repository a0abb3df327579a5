package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real guests: the packaged node on {@code qemu:///system} (libvirtd as scripts/libvirtd-up starts
 * it; KVM where /dev/kvm exists, else TCG) boots two tiny diskless guests (SeaBIOS finds nothing to
 * boot and waits: a real qemu process using real cpu) and takes them through their lifecycle. One
 * guest's VMM is killed with SIGKILL: that system is reported failed with its reason and its VMM
 * crashed, while the other guest and the node carry on. The guests' domains are removed whatever happens.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class QemuGuestIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String A = "acp-qemu-it-" + ProcessHandle.current().pid() + "-a";
    private static final String B = "acp-qemu-it-" + ProcessHandle.current().pid() + "-b";

    @TempDir
    static Path dir;

    static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception {
        node = HostLibvirt.startNode("qemu1", dir);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            HostLibvirt.removeDomains(List.of(A, B));
        }
    }

    private static String virsh(String... args) throws IOException, InterruptedException {
        return HostLibvirt.virsh(args);
    }

    private static ObjectNode byId(String id) {
        return Json.object().put("id", id);
    }

    private static JsonNode meta(ApiClient api, String id) {
        return HostLibvirt.systemReport(api, "meta", id, "qemu1");
    }

    private static double cpuTime(ApiClient api, String id) {
        return HostLibvirt.systemReport(api, "stats", id, "qemu1").path("cpuTime").asDouble(-1);
    }

    @Test
    void twoGuestsRunAndOneVmmCrashHurtsNeitherTheOtherNorTheNode() throws Exception {
        try (ApiClient api = node.client()) {
            for (String id : List.of(A, B)) {
                ObjectNode args = byId(id).put("start", true);
                args.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
                assertThat(api.call("hypervisor", "create", args).path("state").asText()).isEqualTo("running");
            }
            assertThat(virsh("domstate", A)).isEqualTo("running");
            assertThat(virsh("dumpxml", A)).contains("<domain type='" + (Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu") + "'");

            // Stats every second: the guest's cpu time grows (the BIOS polls for a boot device).
            Eventually.await(WAIT, () -> cpuTime(api, A) > 0, "first cpu time sample of " + A);
            double first = cpuTime(api, A);
            Eventually.await(WAIT, () -> cpuTime(api, A) > first, "cpu time of " + A + " grows past " + first);
            JsonNode stats = api.call("cluster", "stats", Json.object().put("type", "system").put("id", A).put("node", "qemu1")).get(0).path("values");
            assertThat(stats.path("balloonActual").asDouble()).as("balloon of %s: %s", A, stats).isEqualTo(64.0 * 1024 * 1024);
            assertThat(stats.path("balloonRss").asDouble()).isPositive();
            JsonNode hv = api.call("cluster", "stats", Json.object().put("type", "service").put("id", "qemu1:hypervisor").put("node", "qemu1"))
                    .get(0).path("values");
            assertThat(hv.path("hugepageSize").asDouble()).isPositive();
            assertThat(hv.path("systemsRunning").asInt()).isEqualTo(2);

            assertThat(api.call("hypervisor", "pause", byId(A)).path("state").asText()).isEqualTo("paused");
            assertThat(virsh("domstate", A)).isEqualTo("paused");
            assertThat(api.call("hypervisor", "resume", byId(A)).path("state").asText()).isEqualTo("running");

            JsonNode consoles = api.call("hypervisor", "console-info", byId(A)).path("consoles");
            assertThat(consoles).anySatisfy(c -> assertThat(c.path("path").asText()).startsWith("/dev/pts/"));
            assertThat(consoles).anySatisfy(c -> assertThat(c.path("port").asInt()).isGreaterThanOrEqualTo(5900));

            // Each running system's VMM is a unit of its own: pid and resource group in its meta.
            Eventually.await(WAIT, () -> meta(api, A).path("vmm").path("pid").asLong() > 0 && meta(api, B).path("vmm").path("pid").asLong() > 0,
                    "vmm units in meta");
            JsonNode vmmA = meta(api, A).path("vmm");
            long pidA = vmmA.path("pid").asLong();
            long pidB = meta(api, B).path("vmm").path("pid").asLong();
            assertThat(pidA).isNotEqualTo(pidB);
            assertThat(vmmA.path("state").asText()).isEqualTo("running");
            assertThat(Files.readString(Path.of("/proc", Long.toString(pidA), "cmdline"))).contains("qemu-system", A);
            assertThat(vmmA.path("cgroup").asText()).startsWith("/machine").contains("qemu");

            // A VMM crash: only that system fails.
            new ProcessBuilder("kill", "-9", Long.toString(pidA)).start().waitFor(10, TimeUnit.SECONDS);
            // The state and the VMM unit are reported by separate steps; wait for both.
            Eventually.await(WAIT, () -> meta(api, A).path("state").asText().equals("failed")
                    && meta(api, A).path("vmm").path("state").asText().equals("crashed"), "system " + A + " reported failed with a crashed VMM");
            JsonNode failed = meta(api, A);
            assertThat(failed.path("reason").asText()).contains("VMM ended unexpectedly");
            assertThat(failed.path("vmm").path("state").asText()).isEqualTo("crashed");
            // A reconcile later it is still failed, not merely stopped.
            Thread.sleep(2500);
            assertThat(meta(api, A).path("state").asText()).isEqualTo("failed");

            assertThat(virsh("domstate", B)).isEqualTo("running");
            assertThat(meta(api, B).path("state").asText()).isEqualTo("running");
            assertThat(ProcessHandle.of(pidB).map(ProcessHandle::isAlive)).contains(true);
            assertThat(node.alive()).isTrue();
            assertThat(api.call("api", "ping", null).path("pong").asBoolean()).isTrue();
            double beforeB = cpuTime(api, B);
            Eventually.await(WAIT, () -> cpuTime(api, B) > beforeB, "system " + B + " keeps running and sampled");

            // Start again after the crash, then stop and delete both.
            assertThat(api.call("hypervisor", "start", byId(A)).path("state").asText()).isEqualTo("running");
            assertThat(api.call("hypervisor", "stop", byId(A)).path("state").asText()).isEqualTo("stopped");
            assertThat(api.call("hypervisor", "stop", byId(B)).path("state").asText()).isEqualTo("stopped");
            assertThat(virsh("domstate", B)).isEqualTo("shut off");
            for (String id : List.of(A, B)) {
                assertThat(api.call("hypervisor", "delete", byId(id)).path("deleted").asBoolean()).isTrue();
            }
            assertThat(virsh("list", "--all", "--name")).doesNotContain(A, B);
        }
    }
}
