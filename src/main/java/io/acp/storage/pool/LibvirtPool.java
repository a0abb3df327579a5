package io.acp.storage.pool;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Sizes;
import io.acp.storage.common.Usage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * A storage pool libvirt manages (any of its pool types), used as it is: ACP neither defines nor
 * starts it. Volumes are created, grown and deleted through libvirt; the pool's path is its
 * target path, so volume paths follow the contract (pool path + "/" + name) for file-based pools.
 */
final class LibvirtPool implements PoolBackend {

    private static final Pattern TARGET_PATH = Pattern.compile("<target>\\s*<path>([^<]+)</path>", Pattern.DOTALL);
    private static final Pattern VOLUME_FORMAT = Pattern.compile("<format type=['\"]([a-z0-9]+)['\"]");

    private final String id;
    private final String nodeId;
    private final String name;
    private final LibvirtConnection libvirt;
    private volatile Path target = Path.of("/");

    LibvirtPool(String id, String nodeId, String name, LibvirtConnection libvirt) {
        this.id = id;
        this.nodeId = nodeId;
        this.name = name;
        this.libvirt = libvirt;
    }

    @Override
    public String kind() {
        return "libvirt";
    }

    /** The pool's target path, read at {@link #realise} (on a probe thread): path() is called where libvirt must not be. */
    @Override
    public Path path() {
        return target;
    }

    @Override
    public void realise() {
        String path = call(p -> {
            if (p.isActive() != 1) {
                throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + ": libvirt pool " + name + " at " + libvirt.uri() + " on node " + nodeId
                        + " is not active (virsh pool-start " + name + ")");
            }
            Matcher m = TARGET_PATH.matcher(p.getXMLDesc(0));
            return m.find() ? m.group(1).strip() : "/";
        });
        target = Path.of(path);
    }

    @Override
    public Usage usage() {
        return call(p -> {
            p.refresh(0);
            var info = p.getInfo();
            return new Usage(info.capacity, info.allocation, info.available);
        });
    }

    @Override
    public List<Volume> volumes() {
        return call(p -> {
            List<Volume> out = new ArrayList<>();
            String[] names = p.listVolumes();
            Arrays.sort(names);
            for (String n : names) {
                out.add(volume(p.storageVolLookupByName(n)));
            }
            return out;
        });
    }

    @Override
    public Volume create(String volume, long size, String format) {
        checkName(volume);
        return call(p -> {
            if (Arrays.asList(p.listVolumes()).contains(volume)) {
                throw new AcpException(ErrorCode.CONFLICT, "volume " + volume + " exists in pool " + id + " on node " + nodeId);
            }
            long available = p.getInfo().available;
            if (size > available) {
                throw new AcpException(ErrorCode.CONFLICT, "out of space: pool " + id + " on node " + nodeId + " has " + Sizes.human(available)
                        + " free, volume " + volume + " needs " + Sizes.human(size));
            }
            String xml = "<volume><name>" + volume + "</name><capacity unit='bytes'>" + size + "</capacity>"
                    + "<target><format type='" + (format == null ? "raw" : format) + "'/></target></volume>";
            return volume(p.storageVolCreateXML(xml, 0));
        });
    }

    @Override
    public Volume resize(String volume, long size) {
        checkName(volume);
        return call(p -> {
            StorageVol v = lookup(p, volume);
            long capacity = v.getInfo().capacity;
            if (size < capacity) {
                throw AcpException.badRequest("volume " + volume + " in pool " + id + " is " + Sizes.human(capacity)
                        + "; shrinking to " + Sizes.human(size) + " would lose data and is refused");
            }
            if (size > capacity) {
                v.resize(size, 0);
            }
            return volume(v);
        });
    }

    @Override
    public void delete(String volume) {
        checkName(volume);
        call(p -> {
            lookup(p, volume).delete(0);
            return null;
        });
    }

    @Override
    public void forget() {
        // the libvirt pool is the operator's; ACP only stops using it
    }

    private StorageVol lookup(StoragePool p, String volume) throws org.libvirt.LibvirtException {
        if (!Arrays.asList(p.listVolumes()).contains(volume)) {
            throw AcpException.notFound("volume " + volume + " in pool " + id + " on node " + nodeId);
        }
        return p.storageVolLookupByName(volume);
    }

    private Volume volume(StorageVol v) throws org.libvirt.LibvirtException {
        Matcher m = VOLUME_FORMAT.matcher(v.getXMLDesc(0));
        return new Volume(id, v.getName(), Path.of(v.getPath()), m.find() ? m.group(1) : "raw", v.getInfo().capacity);
    }

    /** A call on the libvirt pool; libvirt's refusals become INTERNAL, a missing pool UNAVAILABLE. */
    private <T> T call(PoolCall<T> call) {
        return libvirt.call(c -> {
            StoragePool p;
            try {
                p = c.storagePoolLookupByName(name);
            } catch (org.libvirt.LibvirtException e) {
                throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + ": libvirt pool " + name + " does not exist at " + libvirt.uri()
                        + " on node " + nodeId + " (" + e.getMessage() + ")");
            }
            return call.apply(p);
        }, message -> new AcpException(ErrorCode.INTERNAL, "pool " + id + " (libvirt pool " + name + ") on node " + nodeId + ": " + message));
    }

    private interface PoolCall<T> {
        T apply(StoragePool p) throws org.libvirt.LibvirtException;
    }

    private static void checkName(String name) {
        if (!LvmNames.valid(name) || name.startsWith(".")) {
            throw AcpException.badRequest("volume name must be 1..128 letters, digits, + _ . - (not starting with . or -), got '" + name + "'");
        }
    }
}
