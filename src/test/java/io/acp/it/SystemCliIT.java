package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.it.AcpApp.CliResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged node with its default services (the hypervisor on libvirt's test:///default) and
 * the real CLI as separate processes: {@code acp system create … && acp system start …} makes a
 * system run, and the lifecycle commands move it, with libvirt's state as the witness.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SystemCliIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception {
        // the lifecycle test's admin gives its system a raw disk path: the node lists where those may be
        node = NodeProcess.start("hv1", dir, java.util.List.of(), java.util.List.of("-Dacp.hypervisor.allowed-device-paths=/var/lib/acp"));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static CliResult acp(String... args) throws Exception {
        return node.cli(dir, CLI_LIMIT, args);
    }

    @Test
    void createThenStartRunsTheSystemAndTheLifecycleMovesIt() throws Exception {
        CliResult create = acp("system", "create", "web1", "--vcpus", "1", "--memory", "128", "--disk", "/var/lib/acp/web1.img");
        assertThat(create.exitCode()).as("%s", create).isZero();
        CliResult start = acp("system", "start", "web1");
        assertThat(start.exitCode()).as("%s", start).isZero();
        assertThat(start.out()).singleElement().asString().startsWith("system web1: running on hv1 since ");

        CliResult list = acp("system", "list");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.out().get(0)).matches("ID +STATE +LOADED +VCPUS +MEMORY +NODE +SINCE");
        assertThat(list.out()).anySatisfy(l -> assertThat(l).matches("web1 +running +yes +1 +128 MiB +hv1 .*"));

        // The meta is what every other client sees.
        CliResult meta = acp("meta", "system", "web1", "--json");
        assertThat(meta.json().get(0).path("values").path("state").asText()).isEqualTo("running");

        CliResult consoles = acp("system", "console-info", "web1");
        assertThat(consoles.exitCode()).as("%s", consoles).isZero();
        assertThat(consoles.out().get(0)).matches("KIND +TYPE +WHERE");
        assertThat(consoles.out()).anySatisfy(l -> assertThat(l).matches("graphics +vnc +127\\.0\\.0\\.1:.*"));
        assertThat(consoles.out()).anySatisfy(l -> assertThat(l).matches("serial +pty +.*"));

        assertThat(acp("system", "pause", "web1", "--json").json().path("state").asText()).isEqualTo("paused");
        assertThat(acp("system", "resume", "web1", "--json").json().path("state").asText()).isEqualTo("running");
        assertThat(acp("system", "shutdown", "web1", "--json").json().path("state").asText()).isEqualTo("stopped");
        assertThat(acp("system", "restart", "web1", "--json").json().path("state").asText()).isEqualTo("running");
        CliResult runningDelete = acp("system", "delete", "web1");
        assertThat(runningDelete.exitCode()).as("a running system is not deleted: %s", runningDelete).isEqualTo(6);
        assertThat(runningDelete.err()).singleElement().asString().startsWith("acp: conflict: rule running-delete: system web1 is running on node hv1; "
                + "stop it first");
        CliResult objectDelete = acp("delete", "system", "web1");
        assertThat(objectDelete.exitCode()).as("nor is its object deleted: %s", objectDelete).isEqualTo(6);
        assertThat(objectDelete.err()).singleElement().asString().startsWith("acp: conflict: rule running-delete: node hv1 reports system web1 "
                + "running; stop it first");
        assertThat(acp("system", "show", "web1", "--json").json().path("meta").path("state").asText()).as("and runs on").isEqualTo("running");
        assertThat(acp("system", "stop", "web1", "--json").json().path("state").asText()).isEqualTo("stopped");

        CliResult noConsole = acp("system", "console-info", "web1");
        assertThat(noConsole.exitCode()).as("%s", noConsole).isEqualTo(6);
        assertThat(noConsole.err()).singleElement().asString().contains("system web1 is not running on node hv1");

        CliResult show = acp("system", "show", "web1", "--json");
        assertThat(show.json().path("object").path("spec").path("memory").asInt()).isEqualTo(128);

        CliResult delete = acp("system", "delete", "web1");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.out()).containsExactly("deleted system web1");
        CliResult gone = acp("system", "show", "web1");
        assertThat(gone.exitCode()).isEqualTo(3);
        assertThat(gone.err()).containsExactly("acp: not_found: system web1 not found");
    }

    /** acp delete system --force: the object's tombstone, and the node stops and removes the guest at its next reconcile. */
    @Test
    void aSystemsObjectDeletedWithForceTakesItsRunningGuestAlong() throws Exception {
        CliResult create = acp("system", "create", "web6", "--vcpus", "1", "--memory", "64");
        assertThat(create.exitCode()).as("%s", create).isZero();
        assertThat(acp("system", "start", "web6").exitCode()).isZero();
        assertThat(acp("system", "show", "web6", "--json").json().path("meta").path("state").asText()).isEqualTo("running");

        CliResult delete = acp("delete", "system", "web6", "--force");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.out()).singleElement().asString().startsWith("deleted system/web6 version ");
        // the reconcile runs every 10 s (acp.hypervisor.reconcile-interval)
        assertThat(node.awaitLogLine("system web6 was deleted", Duration.ofSeconds(30))).contains("has a running domain on node hv1: removing it");
        assertThat(node.logLines()).noneSatisfy(l -> assertThat(l).contains("system web6: node hv1 could not remove its domain"));
        CliResult gone = acp("system", "show", "web6");
        assertThat(gone.exitCode()).as("%s", gone).isEqualTo(3);
    }

    @Test
    void badSpecsAndUnknownSystemsGetTheirExitCodes() throws Exception {
        CliResult badFlag = acp("system", "create", "web2", "--vcpus", "0", "--memory", "128");
        assertThat(badFlag.exitCode()).as("%s", badFlag).isEqualTo(2);
        assertThat(badFlag.err()).as("the error and where to read the options, not 80 lines of help that scroll it away")
                .containsExactly("acp: invalid value for option '--vcpus': 0 (a system needs at least 1 virtual CPU)",
                        "See 'acp system create --help' for its options.");
        CliResult bad = acp("system", "create", "web2", "--spec", "{\"vcpus\":0,\"memory\":128}");
        assertThat(bad.exitCode()).as("%s", bad).isEqualTo(7);
        assertThat(bad.err()).singleElement().asString().contains("system web2: field 'vcpus' must be an integer from 1 to 256");

        CliResult rawPut = acp("put", "system", "web2", "--spec", "{\"vcpus\":0,\"memory\":128}");
        assertThat(rawPut.exitCode()).as("acp put checks a system's spec as system create does: %s", rawPut).isEqualTo(7);
        assertThat(rawPut.err()).singleElement().asString().contains("system web2: field 'vcpus' must be an integer from 1 to 256");
        assertThat(acp("get", "system", "web2").exitCode()).as("nothing was stored").isEqualTo(3);
        CliResult template = acp("put", "template", "tpl1", "--spec", "{\"pool\":\"images\",\"spec\":{\"vcpus\":1,\"memory\":64,"
                + "\"disks\":[{\"pool\":\"images\",\"volume\":\"web1.qcow2\",\"format\":\"qcow2\",\"readonly\":true}]},\"volumes\":[{\"volume\":\"web1.qcow2\"}]}");
        assertThat(template.exitCode()).as("a template resting on a writable volume: %s", template).isEqualTo(7);
        assertThat(template.err()).singleElement().asString().contains("template tpl1: volumes[0].volume must be a volume 'template create' made for it")
                .contains("rule template-record");
        assertThat(acp("get", "template", "tpl1").exitCode()).as("nothing was stored").isEqualTo(3);

        CliResult unknown = acp("system", "start", "nope");
        assertThat(unknown.exitCode()).isEqualTo(3);

        CliResult pause = acp("system", "create", "web3", "--vcpus", "1", "--memory", "64");
        assertThat(pause.exitCode()).as("%s", pause).isZero();
        assertThat(acp("system", "stop", "web3").exitCode()).isZero();
        CliResult conflict = acp("system", "pause", "web3");
        assertThat(conflict.exitCode()).isEqualTo(6);

        CliResult usage = acp("system", "create", "web4");
        assertThat(usage.exitCode()).isEqualTo(2);

        CliResult elsewhere = acp("system", "create", "web5", "--vcpus", "1", "--memory", "64", "--on", "hv9");
        assertThat(elsewhere.exitCode()).as("a node that cannot be reached: %s", elsewhere).isEqualTo(5);
        assertThat(elsewhere.err()).singleElement().asString().contains("node hv9");

        CliResult nowhere = acp("system", "migrate", "web3", "--to", "hv9");
        assertThat(nowhere.exitCode()).as("%s", nowhere).isEqualTo(5);
        assertThat(nowhere.err()).singleElement().asString().contains("migration of system web3 from node hv1 to node hv9 failed", "stays on node hv1");
        CliResult noTarget = acp("system", "migrate", "web3");
        assertThat(noTarget.exitCode()).isEqualTo(2);
    }
}
