package io.acp.hypervisor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The NoCloud seed of a system: an ISO 9660 image with volume label {@code cidata} holding
 * {@code meta-data}, {@code user-data} and {@code network-config}, attached as a read-only cdrom.
 *
 * <p>Built with Debian's genisoimage (the tool cloud-init's own {@code cloud-localds} calls, with the
 * same options: Joliet and Rock Ridge names) rather than our own ISO 9660 writer: it is packaged and
 * kept up to date, and a seed is built once per system, so running a process costs nothing that
 * matters. A node without it says which package to install.
 */
final class SeedIso {

    static final String LABEL = "cidata";

    private SeedIso() {
    }

    /** Writes the seed of system {@code id} to {@code iso} (which must not exist); blocks: call on a worker. */
    static void write(String nodeId, String id, CloudInit init, Path iso) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("acp-seed-");
            Files.writeString(dir.resolve("meta-data"), init.metaData(id), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("user-data"), init.userDataOrDefault(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("network-config"), init.networkConfigOrDefault(), StandardCharsets.UTF_8);
            HostCommand.GENISOIMAGE.run(nodeId, "build the cloud-init seed of system " + id, List.of("-quiet", "-output", iso.toString(),
                    "-volid", LABEL, "-joliet", "-rock", dir.resolve("user-data").toString(), dir.resolve("meta-data").toString(),
                    dir.resolve("network-config").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("node " + nodeId + " could not write the cloud-init seed of system " + id + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                for (String f : List.of("meta-data", "user-data", "network-config")) {
                    dir.resolve(f).toFile().delete();
                }
                dir.toFile().delete();
            }
        }
    }
}
