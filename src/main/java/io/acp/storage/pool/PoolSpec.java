package io.acp.storage.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The spec of a {@code storage/<id>} object of subtype {@code pool}:
 * <pre>
 * {"kind": "dir", "path": "/srv/vm", "format": "qcow2", "nodes": ["n1", "n2"]}
 * {"kind": "dir", "share": "nfs1", "subdir": "images"}
 * {"kind": "lvm", "vg": "vg0"}
 * {"kind": "lvm-thin", "vg": "vg0", "thinPool": "tp0"}
 * {"kind": "libvirt", "name": "default"}
 * </pre>
 * A dir pool with neither path nor share lives in {@code <data-dir>/pools/<id>} of each node.
 * {@code nodes} absent: every node realises the pool.
 */
public record PoolSpec(String id, String kind, Path path, String share, String subdir, String vg, String thinPool, String name, String format,
        List<String> nodes) {

    static final Set<String> KINDS = Set.of("dir", "lvm", "lvm-thin", "libvirt");
    public static final Set<String> FORMATS = Set.of("raw", "qcow2");
    private static final Set<String> FIELDS = Set.of("kind", "path", "share", "subdir", "vg", "thinPool", "name", "format", "nodes");

    public static PoolSpec parse(String id, JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            throw bad(id, "the spec must be a JSON object");
        }
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw bad(id, "unknown field '" + f + "'; allowed: " + new java.util.TreeSet<>(FIELDS));
            }
        }
        String kind = text(id, spec, "kind");
        if (kind == null || !KINDS.contains(kind)) {
            throw bad(id, "field 'kind' must be one of dir, lvm, lvm-thin, libvirt, got " + spec.path("kind"));
        }
        String pathText = text(id, spec, "path");
        Path path = null;
        if (pathText != null) {
            path = Path.of(pathText);
            if (!path.isAbsolute() || !path.normalize().equals(path)) {
                throw bad(id, "field 'path' must be an absolute, normalised path, got \"" + pathText + "\"");
            }
        }
        String share = text(id, spec, "share");
        String subdir = text(id, spec, "subdir");
        if (subdir != null && (subdir.isEmpty() || subdir.startsWith("/") || Path.of(subdir).normalize().startsWith("..") || subdir.contains(".."))) {
            throw bad(id, "field 'subdir' must be a relative path inside the share, got \"" + subdir + "\"");
        }
        String vg = text(id, spec, "vg");
        String thinPool = text(id, spec, "thinPool");
        String name = text(id, spec, "name");
        String format = text(id, spec, "format");
        if (format != null && !FORMATS.contains(format)) {
            throw bad(id, "field 'format' must be raw or qcow2, got \"" + format + "\"");
        }
        List<String> nodes = new ArrayList<>();
        JsonNode n = spec.get("nodes");
        if (n != null && !n.isNull()) {
            if (!n.isArray()) {
                throw bad(id, "field 'nodes' must be an array of node ids");
            }
            n.forEach(x -> nodes.add(x.asText()));
        }
        if (name != null && !kind.equals("libvirt")) {
            throw bad(id, "'name' (a libvirt pool's name) needs kind libvirt");
        }
        if (kind.equals("libvirt")) {
            if (path != null || share != null || subdir != null || vg != null || thinPool != null) {
                throw bad(id, "a libvirt pool takes only 'name', 'format' and 'nodes'");
            }
            if (name != null && (name.isBlank() || name.contains("/"))) {
                throw bad(id, "field 'name' must be a libvirt pool name, got \"" + name + "\"");
            }
        } else if (kind.equals("dir")) {
            if (vg != null || thinPool != null) {
                throw bad(id, "a dir pool takes no 'vg' or 'thinPool'");
            }
            if (path != null && share != null) {
                throw bad(id, "a dir pool has either 'path' or 'share', not both");
            }
            if (subdir != null && share == null) {
                throw bad(id, "'subdir' needs 'share'");
            }
        } else {
            if (vg == null || !LvmNames.valid(vg)) {
                throw bad(id, "an " + kind + " pool needs field 'vg', a volume group name (letters, digits, + _ . -), got " + spec.path("vg"));
            }
            if (path != null || share != null || subdir != null) {
                throw bad(id, "an " + kind + " pool takes no 'path', 'share' or 'subdir'");
            }
            if (kind.equals("lvm-thin") != (thinPool != null)) {
                throw bad(id, kind.equals("lvm") ? "'thinPool' needs kind lvm-thin" : "an lvm-thin pool needs field 'thinPool'");
            }
            if (thinPool != null && !LvmNames.valid(thinPool)) {
                throw bad(id, "field 'thinPool' must be a logical volume name, got \"" + thinPool + "\"");
            }
            if ("qcow2".equals(format)) {
                throw bad(id, "LVM volumes are raw block devices; format qcow2 needs a dir pool");
            }
        }
        return new PoolSpec(id, kind, path, share, subdir, vg, thinPool, name, format, List.copyOf(nodes));
    }

    public boolean runsOn(String nodeId) {
        return nodes.isEmpty() || nodes.contains(nodeId);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("kind", kind);
        putIf(o, "path", path == null ? null : path.toString());
        putIf(o, "share", share);
        putIf(o, "subdir", subdir);
        putIf(o, "vg", vg);
        putIf(o, "thinPool", thinPool);
        putIf(o, "name", name);
        putIf(o, "format", format);
        if (!nodes.isEmpty()) {
            nodes.forEach(o.putArray("nodes")::add);
        }
        return o;
    }

    private static void putIf(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static String text(String id, JsonNode spec, String field) {
        JsonNode n = spec.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw bad(id, "field '" + field + "' must be a string");
        }
        return n.asText();
    }

    static AcpException bad(String id, String message) {
        return AcpException.badRequest("pool " + id + ": " + message);
    }
}
