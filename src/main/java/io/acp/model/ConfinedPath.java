package io.acp.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a path really leads, and whether that is inside a root. A path is resolved as the kernel
 * would follow it: its longest existing prefix through every symlink ({@code toRealPath}), the
 * rest (not created yet) normalised on top. So {@code root/link/x} with {@code link -> /etc} is
 * {@code /etc/x}, outside {@code root}, and {@code root/../x} is outside too. The check is made
 * when the path is about to be used; it does not stop a local root user from swapping a directory
 * for a symlink afterwards (nothing in user space can).
 */
public final class ConfinedPath {

    private ConfinedPath() {
    }

    /** The path {@code path} leads to, every existing component's symlinks followed. */
    public static Path resolve(Path path) {
        return resolve(path, 0);
    }

    private static Path resolve(Path path, int depth) {
        Path abs = path.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        Path rest = existing.relativize(abs);
        try {
            return existing.toRealPath().resolve(rest).normalize();
        } catch (IOException e) {
            // A dangling symlink on the way (or a loop): follow it by hand, as a later create would.
            if (depth < 40 && Files.isSymbolicLink(existing)) {
                try {
                    Path target = Files.readSymbolicLink(existing);
                    Path parent = existing.getParent() == null ? existing.getRoot() : existing.getParent();
                    return resolve(parent.resolve(target).resolve(rest), depth + 1);
                } catch (IOException unreadable) {
                    // falls through
                }
            }
            throw new IllegalArgumentException("rule confined-path: cannot tell where " + abs + " leads: " + e);
        }
    }

    /** True if {@code path}, resolved, is {@code root} (resolved) or below it. */
    public static boolean isWithin(Path path, Path root) {
        Path r = resolve(root);
        return resolve(path).startsWith(r);
    }

    /** True if {@code path}, resolved, is strictly below {@code root} (resolved). */
    public static boolean isBelow(Path path, Path root) {
        Path r = resolve(root);
        return strictlyBelow(resolve(path), r);
    }

    private static boolean strictlyBelow(Path resolved, Path resolvedRoot) {
        return resolved.startsWith(resolvedRoot) && !resolved.equals(resolvedRoot);
    }

    /** The first of {@code roots} that {@code path} resolves strictly below, if any. */
    public static Optional<Path> rootOf(Path path, List<Path> roots) {
        return roots.isEmpty() ? Optional.empty() : rootOfResolved(resolve(path), roots);
    }

    /**
     * {@link #rootOf} for a path the caller already {@link #resolve resolved}: each resolution of a
     * path that does not exist yet walks up to its longest existing prefix, and the JDK tells a
     * missing file by throwing (5 % of the hypervisor's thread in a benchmark of creates, when the
     * path was resolved again for every root and once more for the error).
     */
    public static Optional<Path> rootOfResolved(Path resolved, List<Path> roots) {
        for (Path r : roots) {
            if (strictlyBelow(resolved, resolve(r))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
