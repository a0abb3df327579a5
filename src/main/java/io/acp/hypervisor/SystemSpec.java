package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code system} object's spec, validated. Every mistake is a {@code bad_request} naming the
 * system and the field, so the person who wrote the spec knows what to fix.
 *
 * <pre>{"name": "web 1", "vcpus": 2, "memory": 1024,
 *  "disks": [{"path": "/var/lib/acp/web1.qcow2", "format": "qcow2", "bus": "virtio"}, {"pool": "fast", "volume": "web1-data"}],
 *  "interfaces": [{"network": "v100", "mac": "52:54:00:12:34:56", "model": "virtio"}, {"bridge": "br0"}],
 *  "boot": ["hd", "network"], "autostart": true, "node": "n2"}</pre>
 *
 * @param memoryMiB memory in MiB
 * @param node      the node the system is assigned to: it runs there and nowhere else. A create without
 *                  one places the system ({@link Placement}) and stores the chosen node; null only in
 *                  objects written by hand, until a node claims the system by starting it
 * @param ha        highly available: which node runs it is decided by the HA ownership group, and when
 *                  its node fails it runs again on another ({@code io.acp.ha}); stored only when true
 * @param template  the template the system was made from ({@link Templates}): its disks are overlays on
 *                  the template's volumes, so the template cannot be deleted while it is named here
 * @param backup    scheduled backups and how many are kept ({@link BackupScheduler}); null for none
 * @param maxVcpus  the most vCPUs the domain can be given while it runs (vCPU hot-plug): it starts with
 *                  {@code vcpus} of them online; null for no room ({@code vcpus})
 * @param maxMemoryMiB the most memory in MiB the domain can be given while it runs (the balloon): it starts
 *                  ballooned to {@code memory}; null for no room ({@code memory})
 */
public record SystemSpec(String id, String name, int vcpus, int memoryMiB, List<Disk> disks, List<Nic> interfaces,
                         List<String> boot, boolean autostart, String node, boolean ha, String template,
                         BackupPolicy backup, Integer maxVcpus, Integer maxMemoryMiB) {

    public static final int MAX_VCPUS = 256;
    public static final int MIN_MEMORY_MIB = 16;
    public static final int MAX_MEMORY_MIB = 16 * 1024 * 1024;
    static final Set<String> FIELDS = Set.of("name", "vcpus", "memory", "disks", "interfaces", "boot", "autostart", "node", "ha", "template", "backup",
            "maxVcpus", "maxMemory");
    static final Set<String> BOOT_DEVICES = Set.of("hd", "cdrom", "network", "fd");
    static final Set<String> DISK_FORMATS = Set.of("raw", "qcow2");
    static final Set<String> DISK_BUSES = Set.of("virtio", "sata", "scsi", "ide");
    static final Set<String> DISK_DEVICES = Set.of("disk", "cdrom");
    static final Set<String> NIC_MODELS = Set.of("virtio", "e1000", "rtl8139");
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /**
     * A disk image: a file {@code path}, or a {@code volume} of an ACP storage {@code pool}, which
     * {@link DeviceSources} resolves through the node's pool meta when the domain is defined.
     */
    public record Disk(String path, String pool, String volume, String format, String bus, boolean readonly, String device) {

        Disk withPath(String resolved) {
            return new Disk(resolved, null, null, format, bus, readonly, device);
        }

        /** The same disk on another volume of its pool. */
        Disk withVolume(String other) {
            return new Disk(null, pool, other, format, bus, readonly, device);
        }

        boolean cdrom() {
            return "cdrom".equals(device);
        }
    }

    /**
     * A network interface on an ACP {@code network} (resolved to the bridge the network service
     * reports for this node, see {@link DeviceSources}) or on a host {@code bridge}. {@code vlan}: on a
     * VLAN-filtering trunk network, the VLAN the network service gives this NIC's tap untagged (it
     * finds the tap by {@code mac}); null for every VLAN of the trunk, tagged.
     */
    private static final java.util.random.RandomGenerator MAC_RANDOM = new java.security.SecureRandom();

    public record Nic(String network, String bridge, String mac, String model, Integer vlan) {

        Nic withBridge(String resolved) {
            return new Nic(null, resolved, mac, model, vlan);
        }

        Nic withMac(String other) {
            return new Nic(network, bridge, other, model, vlan);
        }

        /**
         * A random MAC with libvirt's prefix 52:54:00: what every NIC is given when its spec names
         * none (at create, when {@code set} adds it), and each NIC of a copy or a template's system.
         */
        static String randomMac() {
            byte[] b = new byte[3];
            MAC_RANDOM.nextBytes(b);
            String h = java.util.HexFormat.of().formatHex(b);
            return "52:54:00:" + h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
        }
    }

    /** Validates {@code spec} of system {@code id}. */
    public static SystemSpec parse(String id, JsonNode spec) {
        Fields f = new Fields(id, spec);
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw f.bad(field, "is not a field of a system spec; fields are " + sorted(FIELDS));
            }
        }
        String name = f.optionalText("name", 1, 256);
        int vcpus = f.integer("vcpus", 1, MAX_VCPUS);
        int memory = f.integer("memory", MIN_MEMORY_MIB, MAX_MEMORY_MIB);
        List<Disk> disks = new ArrayList<>();
        List<JsonNode> diskNodes = f.array("disks");
        for (int i = 0; i < diskNodes.size(); i++) {
            disks.add(disk(new Fields(id, diskNodes.get(i), "disks[" + i + "]")));
        }
        List<Nic> nics = new ArrayList<>();
        List<JsonNode> nicNodes = f.array("interfaces");
        for (int i = 0; i < nicNodes.size(); i++) {
            nics.add(nic(new Fields(id, nicNodes.get(i), "interfaces[" + i + "]")));
        }
        List<String> boot = new ArrayList<>();
        for (JsonNode b : f.array("boot")) {
            if (!b.isTextual() || !BOOT_DEVICES.contains(b.asText())) {
                throw f.bad("boot", "entries must be one of " + sorted(BOOT_DEVICES) + ", got " + b);
            }
            if (boot.contains(b.asText())) {
                throw f.bad("boot", "names " + b + " twice");
            }
            boot.add(b.asText());
        }
        if (boot.isEmpty()) {
            boot.add("hd");
        }
        String node = f.optionalText("node", 1, 128);
        if (node != null && !NAME.matcher(node).matches()) {
            throw f.bad("node", "must be a node id (letters, digits, - _ . :), got \"" + node + "\"");
        }
        String template = f.optionalText("template", 1, 128);
        if (template != null && !NAME.matcher(template).matches()) {
            throw f.bad("template", "must be a template name (letters, digits, - _ . :), got \"" + template + "\"");
        }
        Integer maxVcpus = f.optionalInteger("maxVcpus", 1, MAX_VCPUS);
        if (maxVcpus != null && maxVcpus < vcpus) {
            throw f.bad("maxVcpus", "must be at least 'vcpus' (" + vcpus + "): the domain starts with 'vcpus' of its 'maxVcpus' online, got " + maxVcpus);
        }
        Integer maxMemory = f.optionalInteger("maxMemory", MIN_MEMORY_MIB, MAX_MEMORY_MIB);
        if (maxMemory != null && maxMemory < memory) {
            throw f.bad("maxMemory", "must be at least 'memory' (" + memory + " MiB): the domain starts ballooned to 'memory' of its 'maxMemory', got "
                    + maxMemory);
        }
        return new SystemSpec(id, name, vcpus, memory, List.copyOf(disks), List.copyOf(nics), List.copyOf(boot), f.flag("autostart"), node, f.flag("ha"),
                template, BackupPolicy.parse(id, spec.get("backup")), maxVcpus, maxMemory);
    }

    private static Disk disk(Fields f) {
        String path = f.optionalText("path", 1, 4096);
        String pool = f.optionalText("pool", 1, 128);
        String volume = f.optionalText("volume", 1, 255);
        if ((path == null) == (pool == null && volume == null)) {
            throw f.bad("path", "give exactly one of 'path' (a file) or 'pool' and 'volume' (a volume of an ACP storage pool)");
        }
        if (path != null && !path.startsWith("/")) {
            throw f.bad("path", "must be an absolute path, got \"" + path + "\"");
        }
        if (path == null && (pool == null || volume == null)) {
            throw f.bad(pool == null ? "pool" : "volume", "is required with '" + (pool == null ? "volume" : "pool") + "'");
        }
        if (volume != null && (volume.contains("/") || volume.equals(".") || volume.equals(".."))) {
            throw f.bad("volume", "must be a volume name in the pool (no '/'), got \"" + volume + "\"");
        }
        String format = f.oneOf("format", DISK_FORMATS, "raw");
        String bus = f.oneOf("bus", DISK_BUSES, "virtio");
        String device = f.oneOf("device", DISK_DEVICES, "disk");
        if (device.equals("cdrom") && (bus.equals("virtio") || !f.flag("readonly"))) {
            throw f.bad("device", "cdrom needs 'readonly': true and a bus other than virtio (sata, scsi or ide)");
        }
        return new Disk(path, pool, volume, format, bus, f.flag("readonly"), device);
    }

    private static Nic nic(Fields f) {
        String network = f.optionalText("network", 1, 64);
        String bridge = f.optionalText("bridge", 1, 15);
        if ((network == null) == (bridge == null)) {
            throw f.bad("network", "give exactly one of 'network' (an ACP network) or 'bridge' (a host bridge)");
        }
        String mac = f.optionalText("mac", 17, 17);
        if (mac != null && !MAC.matcher(mac).matches()) {
            throw f.bad("mac", "must look like 52:54:00:12:34:56, got \"" + mac + "\"");
        }
        Integer vlan = f.node.has("vlan") && !f.node.get("vlan").isNull() ? f.integer("vlan", 1, 4094) : null;
        if (vlan != null && network == null) {
            throw f.bad("vlan", "needs 'network' (the VLAN of a trunk network this NIC gets untagged)");
        }
        return new Nic(network, bridge, mac, f.oneOf("model", NIC_MODELS, "virtio"), vlan);
    }

    /** The same spec with these devices (resolved ones, for the domain XML). */
    SystemSpec withDevices(List<Disk> otherDisks, List<Nic> otherNics) {
        return new SystemSpec(id, name, vcpus, memoryMiB, List.copyOf(otherDisks), List.copyOf(otherNics), boot, autostart, node, ha, template, backup, maxVcpus, maxMemoryMiB);
    }

    /**
     * The same spec with a MAC made by {@code newMac} for each interface from position {@code from}
     * on that names none. A domain defined without a MAC gets a random one from libvirt, and a new one
     * each time it is defined again from the spec (every start of a stopped system, a restart on
     * another node): the guest would see a new NIC, and ask DHCP for a new address, at every start.
     */
    SystemSpec withMacsFrom(int from, java.util.function.Supplier<String> newMac) {
        List<Nic> nics = new ArrayList<>(interfaces);
        for (int i = Math.max(0, from); i < nics.size(); i++) {
            if (nics.get(i).mac() == null) {
                nics.set(i, nics.get(i).withMac(newMac.get()));
            }
        }
        return withDevices(disks, nics);
    }

    /**
     * The same spec with each interface that names no MAC given the one at its position in
     * {@code macs} (a domain's, in the order of its interfaces), where there is one: a system stored
     * without MACs keeps the ones its domain has when the domain is defined again from the spec.
     */
    SystemSpec withMacsOf(List<String> macs) {
        List<Nic> nics = new ArrayList<>(interfaces);
        for (int i = 0; i < nics.size() && i < macs.size(); i++) {
            if (nics.get(i).mac() == null) {
                nics.set(i, nics.get(i).withMac(macs.get(i)));
            }
        }
        return withDevices(disks, nics);
    }

    /** The same spec under another id. */
    SystemSpec withId(String other) {
        return new SystemSpec(other, name, vcpus, memoryMiB, disks, interfaces, boot, autostart, node, ha, template, backup, maxVcpus, maxMemoryMiB);
    }

    /** The same spec assigned to {@code other}. */
    public SystemSpec withNode(String other) {
        return new SystemSpec(id, name, vcpus, memoryMiB, disks, interfaces, boot, autostart, other, ha, template, backup, maxVcpus, maxMemoryMiB);
    }

    /** The same spec made from template {@code other}. */
    SystemSpec withTemplate(String other) {
        return new SystemSpec(id, name, vcpus, memoryMiB, disks, interfaces, boot, autostart, node, ha, other, backup, maxVcpus, maxMemoryMiB);
    }

    /** The spec in its JSON form (defaults filled in), as stored in the CDB. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        if (name != null) {
            o.put("name", name);
        }
        o.put("vcpus", vcpus);
        o.put("memory", memoryMiB);
        ArrayNode d = o.putArray("disks");
        for (Disk disk : disks) {
            ObjectNode x = d.addObject();
            if (disk.path() != null) {
                x.put("path", disk.path());
            } else {
                x.put("pool", disk.pool()).put("volume", disk.volume());
            }
            x.put("format", disk.format()).put("bus", disk.bus());
            if (disk.readonly()) {
                x.put("readonly", true);
            }
            if (disk.cdrom()) {
                x.put("device", "cdrom");
            }
        }
        ArrayNode n = o.putArray("interfaces");
        for (Nic nic : interfaces) {
            ObjectNode x = n.addObject();
            if (nic.network() != null) {
                x.put("network", nic.network());
            } else {
                x.put("bridge", nic.bridge());
            }
            if (nic.mac() != null) {
                x.put("mac", nic.mac());
            }
            x.put("model", nic.model());
            if (nic.vlan() != null) {
                x.put("vlan", nic.vlan());
            }
        }
        ArrayNode b = o.putArray("boot");
        boot.forEach(b::add);
        o.put("autostart", autostart);
        if (ha) {
            o.put("ha", true);
        }
        if (node != null) {
            o.put("node", node);
        }
        if (template != null) {
            o.put("template", template);
        }
        if (backup != null) {
            o.set("backup", backup.toJson());
        }
        if (maxVcpus != null) {
            o.put("maxVcpus", maxVcpus);
        }
        if (maxMemoryMiB != null) {
            o.put("maxMemory", maxMemoryMiB);
        }
        return o;
    }

    /** The most vCPUs the domain can have online while it runs: {@code maxVcpus}, or {@code vcpus} when not given. */
    public int vcpuCeiling() {
        return maxVcpus == null ? vcpus : maxVcpus;
    }

    /** The most memory (MiB) the domain can be ballooned up to while it runs: {@code maxMemory}, or {@code memory}. */
    public int memoryCeilingMiB() {
        return maxMemoryMiB == null ? memoryMiB : maxMemoryMiB;
    }

    /** Disk target names in order: vda, vdb… (sda… for sata/scsi, hda… for ide). */
    public List<String> diskTargets() {
        List<String> out = new ArrayList<>();
        int[] next = new int[3];
        for (Disk d : disks) {
            int kind = switch (d.bus()) {
                case "virtio" -> 0;
                case "ide" -> 2;
                default -> 1;
            };
            String prefix = kind == 0 ? "vd" : kind == 1 ? "sd" : "hd";
            out.add(prefix + (char) ('a' + next[kind]++));
        }
        return out;
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", s.stream().sorted().toList());
    }

    /** Reads fields of one JSON object, naming the system and path in every complaint. */
    private static final class Fields {
        private final String id;
        private final JsonNode node;
        private final String prefix;

        Fields(String id, JsonNode node) {
            this(id, node, "");
        }

        Fields(String id, JsonNode node, String path) {
            this.id = id;
            this.prefix = path.isEmpty() ? "" : path + ".";
            if (node == null || !node.isObject()) {
                throw new AcpException(io.acp.protocol.ErrorCode.BAD_REQUEST, "system " + id + ": "
                        + (path.isEmpty() ? "spec" : "'" + path + "'") + " must be a JSON object");
            }
            this.node = node;
        }

        AcpException bad(String field, String why) {
            return AcpException.badRequest("system " + id + ": field '" + prefix + field + "' " + why);
        }

        int integer(String field, int min, int max) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                throw bad(field, "is required (an integer from " + min + " to " + max + ")");
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
                throw bad(field, "must be an integer from " + min + " to " + max + ", got " + n);
            }
            return n.asInt();
        }

        Integer optionalInteger(String field, int min, int max) {
            JsonNode n = node.get(field);
            return n == null || n.isNull() ? null : integer(field, min, max);
        }

        String text(String field, int minLength, int maxLength) {
            String s = optionalText(field, minLength, maxLength);
            if (s == null) {
                throw bad(field, "is required");
            }
            return s;
        }

        String optionalText(String field, int minLength, int maxLength) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isTextual() || n.asText().length() < minLength || n.asText().length() > maxLength) {
                throw bad(field, "must be a string of " + minLength + " to " + maxLength + " characters, got " + n);
            }
            if (n.asText().chars().anyMatch(Character::isISOControl)) {
                throw bad(field, "must not contain control characters");
            }
            return n.asText();
        }

        String oneOf(String field, Set<String> allowed, String fallback) {
            String s = optionalText(field, 1, 32);
            if (s == null) {
                return fallback;
            }
            if (!allowed.contains(s)) {
                throw bad(field, "must be one of " + sorted(allowed) + ", got \"" + s + "\"");
            }
            return s;
        }

        boolean flag(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return false;
            }
            if (!n.isBoolean()) {
                throw bad(field, "must be true or false, got " + n);
            }
            return n.asBoolean();
        }

        List<JsonNode> array(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return List.of();
            }
            if (!n.isArray()) {
                throw bad(field, "must be an array, got " + n);
            }
            if (n.size() > 64) {
                throw bad(field, "has " + n.size() + " entries; at most 64");
            }
            List<JsonNode> out = new ArrayList<>();
            n.forEach(out::add);
            return out;
        }
    }
}
