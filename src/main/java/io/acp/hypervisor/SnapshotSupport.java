package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a system's disks can hold snapshots: libvirt keeps them inside qcow2 images (internal
 * snapshots), so every writable disk must be a qcow2 image, on a file or on a pool whose volumes are
 * files. Read-only disks (installation media) are left out of every snapshot.
 */
final class SnapshotSupport {

    private SnapshotSupport() {
    }

    /** The targets of the disks left out (read-only); BAD_REQUEST naming the disk, pool and rule when one cannot snapshot. */
    static List<String> skippedDisks(Cdb cdb, SystemSpec spec) {
        List<String> skipped = new ArrayList<>();
        List<String> targets = spec.diskTargets();
        for (int i = 0; i < spec.disks().size(); i++) {
            SystemSpec.Disk d = spec.disks().get(i);
            String target = targets.get(i);
            if (d.readonly()) {
                skipped.add(target);
                continue;
            }
            if (d.pool() != null) {
                String kind = poolKind(cdb, d.pool()).orElse("unknown");
                if (kind.equals("lvm") || kind.equals("lvm-thin")) {
                    throw refused(spec.id(), "disk " + target + " is volume " + d.volume() + " of storage pool " + d.pool() + ", a pool of kind " + kind
                            + ", which cannot snapshot: its volumes are logical volumes, not qcow2 images; use a dir or libvirt pool with format qcow2");
                }
            }
            if (!d.format().equals("qcow2")) {
                throw refused(spec.id(), "disk " + target + " (" + (d.path() != null ? d.path() : "volume " + d.volume() + " of storage pool " + d.pool())
                        + ") has format " + d.format() + ", which cannot hold snapshots; only qcow2 images can");
            }
        }
        return skipped;
    }

    static Optional<String> poolKind(Cdb cdb, String pool) {
        try {
            return cdb.object(ObjectKey.of(ObjectType.STORAGE, pool)).map(ObjectEntry::spec).map(s -> s.path("kind").asText(null));
        } catch (IllegalArgumentException badId) {
            return Optional.empty();
        }
    }

    private static AcpException refused(String system, String why) {
        return new AcpException(ErrorCode.BAD_REQUEST, "rule snapshot-qcow2: cannot snapshot system " + system + ": " + why);
    }
}
