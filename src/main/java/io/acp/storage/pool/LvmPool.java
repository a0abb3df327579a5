package io.acp.storage.pool;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Sizes;
import io.acp.storage.common.Usage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A volume group ({@code lvm}: linear volumes from the VG's free extents) or a thin pool in it
 * ({@code lvm-thin}: thin volumes, overcommit allowed). Volumes are at {@code /dev/<vg>/<name>};
 * sizes are rounded up to the VG's extent size by LVM.
 */
final class LvmPool implements PoolBackend {

    private final String id;
    private final String nodeId;
    private final String vg;
    private final String thinPool;
    private final Lvm lvm;

    LvmPool(String id, String nodeId, String vg, String thinPool, Lvm lvm) {
        this.id = id;
        this.nodeId = nodeId;
        this.vg = vg;
        this.thinPool = thinPool;
        this.lvm = lvm;
    }

    @Override
    public String kind() {
        return thinPool == null ? "lvm" : "lvm-thin";
    }

    @Override
    public Path path() {
        return Path.of("/dev", vg);
    }

    @Override
    public void realise() {
        group();
        if (thinPool != null) {
            thin();
        }
    }

    @Override
    public Usage usage() {
        if (thinPool == null) {
            Lvm.VolumeGroup g = group();
            return new Usage(g.size(), g.size() - g.free(), g.free());
        }
        Lvm.LogicalVolume tp = thin();
        long used = (long) (tp.size() * tp.dataPercent() / 100.0);
        return new Usage(tp.size(), used, tp.size() - used);
    }

    @Override
    public List<Volume> volumes() {
        List<Volume> out = new ArrayList<>();
        for (Lvm.LogicalVolume lv : lvm.logicalVolumes(vg)) {
            if (!lv.hidden() && !lv.isThinPool() && (thinPool == null ? lv.pool().isEmpty() : lv.pool().equals(thinPool))) {
                out.add(volume(lv));
            }
        }
        return out;
    }

    @Override
    public Volume create(String name, long size, String format) {
        checkName(name);
        if (format != null && !format.equals("raw")) {
            throw AcpException.badRequest("pool " + id + " is " + kind() + ": its volumes are raw block devices, not " + format);
        }
        if (find(name).isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "volume " + name + " exists in pool " + id + " on node " + nodeId);
        }
        if (thinPool == null) {
            Lvm.VolumeGroup g = group();
            if (size > g.free()) {
                throw new AcpException(ErrorCode.CONFLICT, "out of space: pool " + id + " (volume group " + vg + ") on node " + nodeId + " has "
                        + Sizes.human(g.free()) + " free, volume " + name + " needs " + Sizes.human(size));
            }
            lvm.createLinear(vg, name, size);
        } else {
            lvm.createThin(vg, thinPool, name, size);
        }
        return existing(name);
    }

    @Override
    public Volume resize(String name, long size) {
        Volume v = existing(name);
        if (size < v.capacity()) {
            throw AcpException.badRequest("volume " + name + " in pool " + id + " is " + Sizes.human(v.capacity())
                    + "; shrinking to " + Sizes.human(size) + " would lose data and is refused");
        }
        if (size > v.capacity()) {
            lvm.resize(vg, name, size);
        }
        return existing(name);
    }

    @Override
    public void delete(String name) {
        existing(name);
        lvm.remove(vg, name);
    }

    @Override
    public void forget() {
        // the volume group is the operator's; ACP only stops using it
    }

    private Volume existing(String name) {
        checkName(name);
        return find(name).orElseThrow(() -> AcpException.notFound("volume " + name + " in pool " + id + " on node " + nodeId));
    }

    private Optional<Volume> find(String name) {
        return volumes().stream().filter(v -> v.name().equals(name)).findFirst();
    }

    private Volume volume(Lvm.LogicalVolume lv) {
        return new Volume(id, lv.name(), path().resolve(lv.name()), "raw", lv.size());
    }

    private Lvm.VolumeGroup group() {
        return lvm.volumeGroups().stream().filter(g -> g.name().equals(vg)).findFirst()
                .orElseThrow(() -> new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + ": volume group " + vg + " does not exist on node " + nodeId));
    }

    private Lvm.LogicalVolume thin() {
        return lvm.logicalVolumes(vg).stream().filter(lv -> lv.name().equals(thinPool) && lv.isThinPool()).findFirst()
                .orElseThrow(() -> new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + ": thin pool " + thinPool + " does not exist in volume group "
                        + vg + " on node " + nodeId));
    }

    private static void checkName(String name) {
        if (!LvmNames.valid(name) || name.startsWith(".") || name.startsWith("_") || name.startsWith("snapshot") || name.startsWith("pvmove")) {
            throw AcpException.badRequest("volume name must be 1..128 letters, digits, + _ . - (not starting with . - _), got '" + name + "'");
        }
    }
}
