package io.acp.hypervisor;

import java.util.List;

/**
 * Writes the libvirt domain XML of a system. The domain's name is the system's id, so a domain
 * found on the hypervisor maps back to its object without a lookup table.
 */
public final class DomainXml {

    private DomainXml() {
    }

    /**
     * @param spec       with every disk a path and every interface a bridge ({@link DeviceSources#resolve})
     * @param domainType "test" for the test driver, "kvm" or "qemu" for qemu
     */
    public static String of(SystemSpec spec, String domainType) {
        StringBuilder x = new StringBuilder(512);
        x.append("<domain type='").append(escape(domainType)).append("'>\n");
        x.append("  <name>").append(escape(spec.id())).append("</name>\n");
        if (spec.name() != null) {
            x.append("  <title>").append(escape(spec.name())).append("</title>\n");
        }
        // Room to grow while running: <memory> is the most the balloon can give back, <currentMemory> what it starts
        // with; <vcpu> the most vCPUs, 'current' how many are online at start (the rest can be hot-plugged).
        x.append("  <memory unit='MiB'>").append(spec.memoryCeilingMiB()).append("</memory>\n");
        x.append("  <currentMemory unit='MiB'>").append(spec.memoryMiB()).append("</currentMemory>\n");
        if (spec.vcpuCeiling() > spec.vcpus()) {
            x.append("  <vcpu current='").append(spec.vcpus()).append("'>").append(spec.vcpuCeiling()).append("</vcpu>\n");
        } else {
            x.append("  <vcpu>").append(spec.vcpus()).append("</vcpu>\n");
        }
        x.append("  <os>\n    <type arch='x86_64'>hvm</type>\n");
        for (String dev : spec.boot()) {
            x.append("    <boot dev='").append(dev).append("'/>\n");
        }
        x.append("  </os>\n");
        // ACPI: a guest's graceful shutdown is its power button, and PCI hot-plug (disks, NICs) on
        // the pc machine goes through it; qemu refuses device_add on a bus without it.
        x.append("  <features>\n    <acpi/>\n    <apic/>\n  </features>\n");
        x.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n");
        x.append("  <devices>\n");
        List<String> targets = spec.diskTargets();
        for (int i = 0; i < spec.disks().size(); i++) {
            x.append(disk(spec.disks().get(i), targets.get(i)));
        }
        for (SystemSpec.Nic n : spec.interfaces()) {
            x.append(nic(spec.id(), n));
        }
        // Every system gets a serial console (a pty on the node) and a VNC display on the node's loopback: see console-info.
        x.append("    <serial type='pty'>\n      <target port='0'/>\n    </serial>\n");
        x.append("    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n");
        x.append("    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>\n");
        if (!domainType.equals("test")) {
            // The guest agent's port (qemu-guest-agent in the guest answers on it, if installed): file-system freeze
            // around snapshots. libvirt picks the host end's socket path and adds the virtio-serial controller.
            x.append("    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n");
        }
        x.append("  </devices>\n</domain>\n");
        return x.toString();
    }

    /**
     * The domain type a libvirt URI's driver takes: "test" for test:///…; for qemu "kvm" where this
     * node has /dev/kvm, else "qemu" (TCG: emulated, slow, but it runs anywhere).
     */
    /** One disk's device XML at {@code target} (a resolved disk: a path), as the domain and a hot-plug give it. */
    static String disk(SystemSpec.Disk d, String target) {
        StringBuilder x = new StringBuilder();
        x.append("    <disk type='file' device='").append(d.cdrom() ? "cdrom" : "disk").append("'>\n");
        x.append("      <driver name='qemu' type='").append(d.format()).append("'/>\n");
        x.append("      <source file='").append(escape(d.path())).append("'/>\n");
        x.append("      <target dev='").append(target).append("' bus='").append(d.bus()).append("'/>\n");
        if (d.readonly()) {
            x.append("      <readonly/>\n");
        }
        return x.append("    </disk>\n").toString();
    }

    /** One NIC's device XML (a resolved NIC: a bridge), as the domain and a hot-plug give it. */
    static String nic(String system, SystemSpec.Nic n) {
        if (n.bridge() == null) {
            throw new IllegalArgumentException("interface on network " + n.network() + " of system " + system + " is not resolved to a bridge");
        }
        StringBuilder x = new StringBuilder();
        x.append("    <interface type='bridge'>\n      <source bridge='").append(escape(n.bridge())).append("'/>\n");
        if (n.mac() != null) {
            x.append("      <mac address='").append(n.mac()).append("'/>\n");
        }
        return x.append("      <model type='").append(n.model()).append("'/>\n    </interface>\n").toString();
    }

    public static String typeFor(String uri) {
        return typeFor(uri, "auto");
    }

    /** As {@link #typeFor(String)}, with {@code acp.hypervisor.accelerator}: {@code auto}, {@code kvm} or {@code tcg} (domain type "qemu"). */
    public static String typeFor(String uri, String accelerator) {
        if (uri.startsWith("test:")) {
            return "test";
        }
        return switch (accelerator) {
            case "kvm" -> "kvm";
            case "tcg" -> "qemu";
            case "auto" -> java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")) ? "kvm" : "qemu";
            default -> throw new IllegalArgumentException("acp.hypervisor.accelerator is '" + accelerator + "': it must be auto, kvm or tcg");
        };
    }

    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile("<uuid>([0-9a-fA-F-]{32,36})</uuid>");
    /** An interface element's MAC, as libvirt writes a domain's XML. */
    private static final java.util.regex.Pattern INTERFACE_MAC =
            java.util.regex.Pattern.compile("<interface\\b(?:(?!</interface>)[\\s\\S])*?<mac address='([^']+)'");

    /** The uuid in a domain's XML, or null. */
    static String uuid(String xml) {
        java.util.regex.Matcher m = UUID.matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    /** The MACs of the interfaces of a domain's {@code xml}, in their order. */
    static List<String> interfaceMacs(String xml) {
        List<String> out = new java.util.ArrayList<>();
        java.util.regex.Matcher m = INTERFACE_MAC.matcher(xml);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** {@code xml} of {@link #of} with this uuid (none when null), so it redefines an existing domain. */
    static String withUuid(String xml, String uuid) {
        if (uuid == null) {
            return xml;
        }
        int name = xml.indexOf("</name>\n") + "</name>\n".length();
        return xml.substring(0, name) + "  <uuid>" + uuid + "</uuid>\n" + xml.substring(name);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
