package io.acp.storage.device;

import io.acp.storage.common.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Discovers block devices from sysfs ({@code <sys>/block}). A device of size 0 (an unattached
 * loop device, an empty drive) is not reported: when an attached one drops to 0 it is "gone".
 */
final class BlockDevices {

    private final Path sysBlock;

    BlockDevices(Path sysRoot) {
        this.sysBlock = sysRoot.resolve("block");
    }

    /**
     * Every device with a size, sorted by name.
     *
     * @param mounts       to tell which devices (or their partitions) are mounted
     * @param physicalVolumes LVM PVs by device path ({@code /dev/sdb} → VG name), to tell which are PVs
     */
    List<BlockDevice> scan(MountTable mounts, Map<String, String> physicalVolumes) {
        List<BlockDevice> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(sysBlock)) {
            for (Path dir : entries.sorted().toList()) {
                String name = dir.getFileName().toString();
                long size = number(dir.resolve("size")) * 512;
                if (size <= 0) {
                    continue;
                }
                List<String> partitions = partitions(dir);
                List<String> usedBy = new ArrayList<>();
                for (String part : concat(name, partitions)) {
                    mounts.targetsOf(part).forEach(t -> usedBy.add("mounted at " + t));
                    String vg = physicalVolumes.get("/dev/" + part);
                    if (vg != null) {
                        usedBy.add("LVM PV of " + (vg.isEmpty() ? "no volume group" : vg));
                    }
                    Path holders = part.equals(name) ? dir.resolve("holders") : dir.resolve(part).resolve("holders");
                    names(holders).forEach(h -> usedBy.add("held by " + h));
                }
                String model = text(dir.resolve("device/model"));
                boolean rotational = "1".equals(text(dir.resolve("queue/rotational")));
                out.add(new BlockDevice(name, size, model, rotational, partitions, List.copyOf(usedBy)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + sysBlock + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static List<String> concat(String name, List<String> partitions) {
        List<String> all = new ArrayList<>();
        all.add(name);
        all.addAll(partitions);
        return all;
    }

    /** Sub-directories with a {@code partition} file are the device's partitions. */
    private static List<String> partitions(Path dir) {
        return names(dir).stream().filter(n -> Files.isRegularFile(dir.resolve(n).resolve("partition"))).toList();
    }

    private static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long number(Path file) {
        String t = text(file);
        try {
            return t.isEmpty() ? 0 : Long.parseLong(t);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A sysfs attribute, trimmed; empty if absent or unreadable. */
    private static String text(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
