package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.FakeApiServer;
import io.acp.protocol.Request;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code acp system set} against a stand-in node on a real Unix socket: the maxima flags reach the
 * request, and the answer is printed field by field, live or pending with the reason. (The answer
 * itself is checked against real libvirt in {@code io.acp.hypervisor.LiveSystemEditTest}.)
 */
class CliSystemSetTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    private static final String ANSWER = """
            {"id":"web1","state":"running","loaded":true,"node":"n1","since":1764010000000,
             "changed":["vcpus","memory","maxVcpus"],"live":["memory"],"pending":["vcpus","maxVcpus"],
             "fields":{"vcpus":{"applied":"pending","why":"above the maximum of 2 vCPUs defined at start (maxVcpus); it applies at the next start"},
                       "memory":{"applied":"live"},
                       "maxVcpus":{"applied":"pending","why":"a maximum is fixed when the domain starts"}},
             "applies":"at the next start for vcpus, maxVcpus: the system is running; stop and start it (or restart) to apply"}
            """;

    @TempDir
    Path dir;

    @Test
    void printsPerFieldWhetherItWasAppliedLiveOrIsPendingAndWhy() throws Exception {
        AtomicReference<Request> asked = new AtomicReference<>();
        JsonNode answer = CliAgainstFakeNodeTest.json(ANSWER);
        try (FakeApiServer node = FakeApiServer.unix(dir.resolve("api.sock"), r -> {
            asked.set(r);
            return FakeApiServer.result(answer).apply(r);
        })) {
            LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, "system", "set", "web1",
                    "--vcpus", "4", "--memory", "1024", "--max-vcpus", "8"));

            assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
            assertThat(asked.get().op()).isEqualTo("set");
            assertThat(asked.get().args().path("spec").toString()).isEqualTo("{\"vcpus\":4,\"memory\":1024,\"maxVcpus\":8}");
            assertThat(result.getOutputStream()).contains(
                    "changed vcpus, memory, maxVcpus; applies at the next start for vcpus, maxVcpus: the system is running; stop and start it (or restart) to apply",
                    "  vcpus: pending (above the maximum of 2 vCPUs defined at start (maxVcpus); it applies at the next start)",
                    "  memory: live",
                    "  maxVcpus: pending (a maximum is fixed when the domain starts)");
        }
    }

    @Test
    void aMaximumBelowOneIsAUsageError() {
        LaunchResult result = launcher.launch("system", "set", "web1", "--max-memory", "0");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("invalid value for option '--max-memory': 0");
    }

    /**
     * {@code --add-disk}/{@code --remove-disk}/{@code --add-network}/{@code --remove-network} read the
     * system's lists first and send them changed at their end (what a running system takes by hot-plug).
     */
    @Test
    void addAndRemoveFlagsSendTheListsChangedAtTheirEnd() throws Exception {
        List<Request> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        JsonNode shown = CliAgainstFakeNodeTest.json("""
                {"id":"web1","state":"running","object":{"spec":{"vcpus":1,"memory":128,
                 "disks":[{"path":"/var/lib/acp/a.img"},{"pool":"p","volume":"b.qcow2","format":"qcow2"}],
                 "interfaces":[{"network":"lan"},{"network":"dmz"}]}}}
                """);
        JsonNode answer = CliAgainstFakeNodeTest.json(ANSWER);
        try (FakeApiServer node = FakeApiServer.unix(dir.resolve("api.sock"), r -> {
            asked.add(r);
            return FakeApiServer.result(r.op().equals("show") ? shown : answer).apply(r);
        })) {
            LaunchResult result = launcher.launch(CliAgainstFakeNodeTest.args(node, "system", "set", "web1",
                    "--remove-disk", "b.qcow2", "--add-disk", "/var/lib/acp/c.img", "--remove-network", "dmz", "--add-network", "san"));

            assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
            assertThat(asked).extracting(Request::op).containsExactly("show", "set");
            assertThat(asked.get(1).args().path("spec").toString()).isEqualTo(
                    "{\"disks\":[{\"path\":\"/var/lib/acp/a.img\"},{\"path\":\"/var/lib/acp/c.img\"}],"
                            + "\"interfaces\":[{\"network\":\"lan\"},{\"network\":\"san\"}]}");
        }
        LaunchResult both = launcher.launch("system", "set", "web1", "--disk", "/x.img", "--add-disk", "/y.img");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.getErrorOutput()).contains("--disk and --network replace the whole list");
    }
}
