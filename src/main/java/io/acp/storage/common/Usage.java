package io.acp.storage.common;

import java.util.HashMap;
import java.util.Map;

/**
 * Capacity of a pool or share in bytes. For a filesystem (dir pool, share) this is what statvfs
 * says, as libvirt reports it: {@code allocation} = blocks in use, {@code free} = blocks an
 * unprivileged writer may still use; {@code usedPercent} = 100 × (capacity − free) / capacity, so a
 * filesystem whose reserve is all that is left counts as full.
 */
public record Usage(long capacity, long allocation, long free) {

    public double usedPercent() {
        return capacity <= 0 ? 100.0 : 100.0 * (capacity - free) / capacity;
    }

    /** The health state under the thresholds: {@code ok}, {@code nearFull} or {@code full}. */
    public String state(int nearFullPercent, int fullPercent) {
        double used = usedPercent();
        if (free <= 0 || used >= fullPercent) {
            return "full";
        }
        return used >= nearFullPercent ? "nearFull" : "ok";
    }

    /** The problem text for a state that is not ok, naming the subject. */
    public String problem(String subject, String state) {
        return switch (state) {
            case "full" -> subject + " is full: " + Sizes.human(free) + " free of " + Sizes.human(capacity);
            case "nearFull" -> String.format(java.util.Locale.ROOT, "%s is %.1f%% used: %s free of %s", subject, usedPercent(), Sizes.human(free),
                    Sizes.human(capacity));
            default -> null;
        };
    }

    public Map<String, Double> stats() {
        Map<String, Double> v = new HashMap<>();
        v.put("capacity", (double) capacity);
        v.put("allocation", (double) allocation);
        v.put("free", (double) free);
        v.put("usedPercent", usedPercent());
        return v;
    }

    /** statvfs of a directory: blocks, free blocks and blocks available to non-root, as {@link java.nio.file.FileStore} gives them. */
    public static Usage ofFileStore(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.FileStore fs = java.nio.file.Files.getFileStore(dir);
        long total = fs.getTotalSpace();
        long unallocated = fs.getUnallocatedSpace();
        return new Usage(total, total - unallocated, fs.getUsableSpace());
    }
}
