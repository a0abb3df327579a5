package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A packaged node on a host where libvirt's client library cannot be loaded (not installed, or a
 * broken file in its place): the node starts and serves everything else, and the hypervisor's
 * answer says which library, why, and what to do, at the first use and at every later one.
 *
 * <p>JNA looks for {@code libvirt.so} in {@code jna.library.path}, then in
 * {@code jna.platform.library.path} (by default the system's library directories) for a versioned
 * one; both name a directory whose {@code libvirt.so} is an empty file, so this process cannot load
 * the library whatever the machine has installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnloadableLibvirtIT {

    @TempDir
    Path dir;

    @Test
    void theNodeRunsWithoutItAndEveryAnswerNamesTheLibraryAndTheFix() throws Exception {
        Path libs = Files.createDirectories(dir.resolve("libs"));
        Files.writeString(libs.resolve("libvirt.so"), "");
        try (NodeProcess node = NodeProcess.start("nolibvirt", Files.createDirectories(dir.resolve("node")), List.of(),
                List.of("-Djna.library.path=" + libs, "-Djna.platform.library.path=" + libs));
                ApiClient api = node.client()) {
            // The service's own first connection, at start, failed loading the library; every later
            // use, these two included, used to fail with "Could not initialize class
            // org.libvirt.jna.Libvirt" and a hint at libvirtd, which is not at fault.
            for (int attempt = 1; attempt <= 2; attempt++) {
                AcpException e = assertThrows(AcpException.class, () -> api.call("hypervisor", "list", Json.object()));
                assertThat(e.code()).as("attempt %d: %s", attempt, e.getMessage()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.getMessage()).as("attempt %d", attempt)
                        .contains("node nolibvirt cannot use libvirt at test:///default")
                        .contains("libvirt.so.0 cannot be used (" + libs.resolve("libvirt.so") + ": file too short")
                        .contains("apt-get install libvirt0")
                        .contains("restart the node")
                        .doesNotContain("Could not initialize class")
                        .doesNotContain("is libvirtd running")
                        .doesNotContain("resource path");
            }

            // Nothing else is lost: the node's own state takes a write and gives it back.
            api.call("cluster", "put", Json.object().put("type", "alarm").put("id", "still-here").set("spec", Json.object().put("i", 1)));
            assertThat(api.call("cluster", "get", Json.object().put("type", "alarm").put("id", "still-here")).path("spec").path("i").asInt())
                    .isEqualTo(1);

            // The service's health says the same; its log says it on one line each time, without JNA's class path list.
            Convergence.until(Duration.ofSeconds(30),
                    () -> api.call("framework", "status", Json.object()).toString().contains("apt-get install libvirt0"),
                    () -> "the hypervisor's problem in the node's status: " + api.call("framework", "status", Json.object()));
            assertThat(node.logLines()).noneSatisfy(line -> assertThat(line).contains("resource path"));
            assertThat(node.logLines()).noneSatisfy(line -> assertThat(line).contains("uses libvirt at"))
                    .anySatisfy(line -> assertThat(line).contains("hypervisor of node nolibvirt runs without libvirt at test:///default for now"));
            assertThat(node.logLines()).filteredOn(line -> line.contains("libvirt.so.0 cannot be used")).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).contains("WARN").contains("apt-get install libvirt0"));
        }
    }
}
