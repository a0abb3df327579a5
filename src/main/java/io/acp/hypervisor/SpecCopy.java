package io.acp.hypervisor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The spec of a copy of a system under another id (a restore {@code --as}): every writable disk gets
 * its own volume or file, named after the new id, beside the original; every interface a new MAC
 * (52:54:00 is libvirt's prefix); no node (the restoring node claims it). The domain gets a new
 * UUID because it is defined afresh under the new name. Read-only disks (a template's base, an ISO)
 * are shared, not copied.
 */
final class SpecCopy {

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
            nics.add(n.withMac(SystemSpec.Nic.randomMac()));
        }
        return original.withId(newId).withDevices(disks, nics).withNode(null);
    }

    /** {@code name} with the old id replaced by the new one, or the new id put in front. */
    static String renamed(String name, String oldId, String newId) {
        return name.contains(oldId) ? name.replace(oldId, newId) : newId + "-" + name;
    }
}
