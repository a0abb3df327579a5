package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.testing.Eventually;
import java.io.IOException;
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
 * A guest whose VMM hangs (SIGSTOP on its qemu: its monitor never answers, as a qemu stuck on
 * storage that stopped answering does) on a node on {@code qemu:///system} with another guest.
 * libvirt's first read of the hung guest's balloon then waits for ever and every later one for 30
 * s; the node's stats sample, which every create and stop of the node queues behind on the
 * hypervisor's thread, waits for it at most a second and then leaves that guest's balloon and disk
 * counters out until it answers. So the other guest is still stopped and started in seconds, the
 * hung one keeps its cpu and state figures, its meta says its VMM is unresponsive and the monitor
 * raises an alarm for it; its balloon comes back and the alarm clears once its qemu runs again.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class QemuHungMonitorIT {

    private static final String URI = HostLibvirt.URI;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Far more than a stop takes (under a second), far less than libvirt's 30 s job timeout. */
    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final String HUNG = "acp-hung-it-" + ProcessHandle.current().pid() + "-a";
    private static final String OTHER = "acp-hung-it-" + ProcessHandle.current().pid() + "-b";

    @TempDir
    static Path dir;

    static NodeProcess node;
    static long hungPid;

    @BeforeAll
    static void startNode() throws Exception {
        // the alarm's hysteresis shortened (5 s to raise, 10 s to clear by default): the test waits for both
        node = HostLibvirt.startNode("hung1", dir, "-Dacp.monitor.raise-delay=1s", "-Dacp.monitor.clear-delay=2s");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (hungPid > 0) {
                signal("CONT", hungPid);
            }
            if (node != null) {
                node.close();
            }
        } finally {
            HostLibvirt.removeDomains(List.of(HUNG, OTHER));
        }
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %d", name, pid).isTrue();
    }

    private static ObjectNode byId(String id) {
        return Json.object().put("id", id);
    }

    private static JsonNode stats(ApiClient api, String id) {
        return HostLibvirt.systemReport(api, "stats", id, "hung1");
    }

    private static JsonNode meta(ApiClient api, String id) {
        return HostLibvirt.systemReport(api, "meta", id, "hung1");
    }

    /** The active alarm of rule vmmUnresponsive about {@code id}, if one is raised. */
    private static java.util.Optional<JsonNode> unresponsiveAlarm(ApiClient api, String id) {
        for (JsonNode a : api.call("monitor", "alarms", Json.object())) {
            if (a.path("rule").asText().equals("vmmUnresponsive") && a.path("subject").asText().equals("system/" + id)) {
                return java.util.Optional.of(a);
            }
        }
        return java.util.Optional.empty();
    }

    @Test
    void aGuestWhoseVmmHangsHoldsNeitherTheOtherGuestsOperationsNorTheirStats() throws Exception {
        try (ApiClient api = node.client()) {
            for (String id : List.of(HUNG, OTHER)) {
                ObjectNode args = byId(id).put("start", true);
                args.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
                assertThat(api.call("hypervisor", "create", args).path("state").asText()).isEqualTo("running");
            }
            Eventually.await(WAIT, () -> stats(api, HUNG).has("balloonActual"), "the balloon of " + HUNG + " in its stats");
            Eventually.await(WAIT, () -> meta(api, HUNG).path("vmm").path("pid").asLong() > 0, "the VMM of " + HUNG + " in its meta");
            hungPid = meta(api, HUNG).path("vmm").path("pid").asLong();

            signal("STOP", hungPid);
            node.awaitLogLine("system " + HUNG + " on node hung1 (libvirt at " + URI + "): its VMM's monitor did not answer", WAIT);

            for (int round = 1; round <= 2; round++) {
                long t0 = System.nanoTime();
                assertThat(api.call("hypervisor", "stop", byId(OTHER)).path("state").asText()).isEqualTo("stopped");
                assertThat(api.call("hypervisor", "start", byId(OTHER)).path("state").asText()).isEqualTo("running");
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(took).as("stop and start %d of %s while the VMM of %s hangs", round, OTHER, HUNG).isLessThan(PROMPT);
            }

            // Samples go on: the other guest's cpu time grows; the hung one is sampled without its balloon.
            double before = stats(api, OTHER).path("cpuTime").asDouble(-1);
            Eventually.await(WAIT, () -> stats(api, OTHER).path("cpuTime").asDouble(-1) > before, "cpu time of " + OTHER + " sampled again");
            Eventually.await(WAIT, () -> !stats(api, HUNG).has("balloonActual") && stats(api, HUNG).has("cpuTime"),
                    "stats of " + HUNG + " without its balloon");
            assertThat(meta(api, HUNG).path("state").asText()).isEqualTo("running");
            assertThat(unresponsiveAlarm(api, OTHER)).as("an alarm about the VMM that answers").isEmpty();

            // An operator sees it without reading the log: the VMM's state in the meta, and an alarm.
            Eventually.await(WAIT, () -> meta(api, HUNG).path("vmm").path("state").asText().equals("unresponsive"),
                    "the VMM of " + HUNG + " unresponsive in its meta");
            assertThat(meta(api, HUNG).path("vmm").path("pid").asLong()).isEqualTo(hungPid);
            Eventually.await(WAIT, () -> unresponsiveAlarm(api, HUNG).isPresent(), "an alarm that the VMM of " + HUNG + " does not answer");
            JsonNode alarm = unresponsiveAlarm(api, HUNG).orElseThrow();
            assertThat(alarm.path("node").asText()).isEqualTo("hung1");
            assertThat(alarm.path("severity").asText()).isEqualTo("major");
            assertThat(alarm.path("message").asText()).contains(HUNG).contains("pid " + hungPid).contains("does not answer its monitor");
            assertThat(meta(api, OTHER).path("vmm").path("state").asText()).isEqualTo("running");

            signal("CONT", hungPid);
            hungPid = 0;
            node.awaitLogLine("system " + HUNG + " on node hung1 (libvirt at " + URI + "): its VMM's monitor answers again", WAIT);
            Eventually.await(WAIT, () -> stats(api, HUNG).has("balloonActual"), "the balloon of " + HUNG + " back in its stats");
            Eventually.await(WAIT, () -> meta(api, HUNG).path("vmm").path("state").asText().equals("running"), "the VMM of " + HUNG + " running again in its meta");
            Eventually.await(WAIT, () -> unresponsiveAlarm(api, HUNG).isEmpty(), "the alarm about the VMM of " + HUNG + " cleared");

            for (String id : List.of(HUNG, OTHER)) {
                assertThat(api.call("hypervisor", "delete", byId(id).put("force", true)).path("deleted").asBoolean()).isTrue();
            }
        }
    }
}
