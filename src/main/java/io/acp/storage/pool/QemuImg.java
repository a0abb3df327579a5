package io.acp.storage.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where qemu-img is, if installed (package qemu-utils). */
final class QemuImg {

    static final String PATH = find();

    private QemuImg() {
    }

    static boolean installed() {
        return PATH != null;
    }

    private static String find() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            Path p = Path.of(dir, "qemu-img");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
