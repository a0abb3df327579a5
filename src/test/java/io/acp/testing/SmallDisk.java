package io.acp.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A disk-full fault for tests (they run as root): a small tmpfs mounted on a directory, filled to
 * the last byte, and unmounted afterwards.
 */
public final class SmallDisk {

    private SmallDisk() {
    }

    /** Mounts a tmpfs of {@code size} (e.g. "1m") on {@code dir}. */
    public static void mount(Path dir, String size) throws Exception {
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    }

    public static void unmount(Path dir) throws Exception {
        run("umount", dir.toString());
    }

    /** Fills the file system on {@code mount} until it is full; returns the filler file (delete it to free the disk). */
    public static Path fill(Path mount) throws IOException {
        Path filler = mount.resolve("filler");
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return filler;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes());
        if (!exited || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
