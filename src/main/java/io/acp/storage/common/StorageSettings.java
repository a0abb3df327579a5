package io.acp.storage.common;

import io.acp.protocol.AcpException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The storage configuration resolved against this node's data dir, plus the command runner it implies
 * ({@code io.acp.storage.StorageService#settings} builds it from the config mapping).
 */
public record StorageSettings(Path dataDir, Path mountDir, List<Path> allowedRoots, List<String> privilegedShareOptions, int nearFullPercent, int fullPercent, Duration probeTimeout,
        Duration commandTimeout, CommandRunner commands, Path sysRoot, Path procRoot) {

    /** The same settings reading sysfs and procfs below other roots (tests on a copied tree). */
    public StorageSettings withRoots(Path sys, Path proc) {
        return new StorageSettings(dataDir, mountDir, allowedRoots, privilegedShareOptions, nearFullPercent, fullPercent, probeTimeout, commandTimeout, commands, sys, proc);
    }

    /** BAD_REQUEST unless {@code path} is inside one of the allowed roots. */
    public void requireAllowed(String poolId, Path path) {
        if (io.acp.model.ConfinedPath.rootOf(path, allowedRoots).isEmpty()) {
            throw AcpException.badRequest("pool " + poolId + ": path " + path + " (leads to " + io.acp.model.ConfinedPath.resolve(path)
                    + ") is outside the allowed roots " + allowedRoots + " (rule pool-path, acp.storage.allowed-roots)");
        }
    }

    /** {@code path} if it resolves (symlinks followed) strictly inside {@code root}, else BAD_REQUEST naming the rule and object. */
    public static Path confined(String what, Path path, Path root) {
        if (!io.acp.model.ConfinedPath.isBelow(path, root)) {
            throw AcpException.badRequest(what + ": " + path + " leads to " + io.acp.model.ConfinedPath.resolve(path) + ", outside " + root
                    + " (rule confined-path)");
        }
        return path;
    }
}
