package io.acp.storage;

import io.acp.protocol.AcpException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The storage configuration resolved against this node's data dir, plus the command runner it implies. */
record StorageSettings(Path dataDir, Path mountDir, List<Path> allowedRoots, List<String> privilegedShareOptions, int nearFullPercent, int fullPercent, Duration probeTimeout,
        Duration commandTimeout, CommandRunner commands, Path sysRoot, Path procRoot) {

    static StorageSettings of(StorageConfig config, Path dataDir) {
        if (config.nearFullPercent() < 1 || config.fullPercent() > 100 || config.nearFullPercent() > config.fullPercent()) {
            throw new IllegalArgumentException("acp.storage.near-full-percent (" + config.nearFullPercent() + ") and full-percent ("
                    + config.fullPercent() + ") must satisfy 1 <= near-full <= full <= 100");
        }
        List<Path> roots = new ArrayList<>();
        roots.add(dataDir.resolve("pools").toAbsolutePath().normalize()); // never the data dir itself: keys and journal live there
        config.allowedRoots().ifPresent(l -> l.forEach(p -> roots.add(p.toAbsolutePath().normalize())));
        return new StorageSettings(dataDir, config.mountDir().orElse(dataDir.resolve("shares")), List.copyOf(roots),
                List.copyOf(config.privilegedShareOptions().orElse(List.of())), config.nearFullPercent(),
                config.fullPercent(), config.probeTimeout(), config.commandTimeout(), new CommandRunner(config.commandTimeout()), Path.of("/sys"),
                Path.of("/proc"));
    }

    /** The same settings reading sysfs and procfs below other roots (tests on a copied tree). */
    StorageSettings withRoots(Path sys, Path proc) {
        return new StorageSettings(dataDir, mountDir, allowedRoots, privilegedShareOptions, nearFullPercent, fullPercent, probeTimeout, commandTimeout, commands, sys, proc);
    }

    /** BAD_REQUEST unless {@code path} is inside one of the allowed roots. */
    void requireAllowed(String poolId, Path path) {
        if (io.acp.model.ConfinedPath.rootOf(path, allowedRoots).isEmpty()) {
            throw AcpException.badRequest("pool " + poolId + ": path " + path + " (leads to " + io.acp.model.ConfinedPath.resolve(path)
                    + ") is outside the allowed roots " + allowedRoots + " (rule pool-path, acp.storage.allowed-roots)");
        }
    }

    /** {@code path} if it resolves (symlinks followed) strictly inside {@code root}, else BAD_REQUEST naming the rule and object. */
    static Path confined(String what, Path path, Path root) {
        if (!io.acp.model.ConfinedPath.isBelow(path, root)) {
            throw AcpException.badRequest(what + ": " + path + " leads to " + io.acp.model.ConfinedPath.resolve(path) + ", outside " + root
                    + " (rule confined-path)");
        }
        return path;
    }
}
