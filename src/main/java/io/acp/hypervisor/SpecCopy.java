package io.acp.hypervisor;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The spec of a copy of a system under another id (a restore {@code --as}): every writable disk gets
 * its own volume or file, named after the new id, beside the original; every interface a new MAC
 * (52:54:00 is libvirt's prefix); no node (the restoring node claims it). The domain gets a new
 * UUID because it is defined afresh under the new name. Read-only disks (a template's base, an ISO)
 * are shared, not copied.
 */
final class SpecCopy {

    private static final RandomGenerator RANDOM = new SecureRandom();

    private SpecCopy() {
    }

    static SystemSpec of(SystemSpec original, String newId) {
        List<SystemSpec.Disk> disks = new ArrayList<>();
        for (SystemSpec.Disk d : original.disks()) {
            if (d.readonly()) {
                disks.add(d);
            } else if (d.path() != null) {
                Path p = Path.of(d.path());
                disks.add(d.withPath(p.resolveSibling(renamed(p.getFileName().toString(), original.id(), newId)).toString()));
            } else {
                disks.add(d.withVolume(renamed(d.volume(), original.id(), newId)));
            }
        }
        List<SystemSpec.Nic> nics = new ArrayList<>();
        for (SystemSpec.Nic n : original.interfaces()) {
            nics.add(new SystemSpec.Nic(n.network(), n.bridge(), newMac(), n.model(), n.vlan()));
        }
        return original.withId(newId).withDevices(disks, nics).withNode(null);
    }

    /** {@code name} with the old id replaced by the new one, or the new id put in front. */
    static String renamed(String name, String oldId, String newId) {
        return name.contains(oldId) ? name.replace(oldId, newId) : newId + "-" + name;
    }

    /** A random MAC with libvirt's prefix 52:54:00. */
    static String newMac() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        String h = HexFormat.of().formatHex(b);
        return "52:54:00:" + h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
    }
}
