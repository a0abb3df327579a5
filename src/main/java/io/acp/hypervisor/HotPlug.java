package io.acp.hypervisor;

import io.acp.protocol.AcpException;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live side of a change to a running system's {@code disks} or {@code interfaces}: devices
 * added at the end of the list are attached, devices removed from its end are detached, in the
 * running domain and its definition (libvirt AFFECT_LIVE | AFFECT_CONFIG). Any other change (one in
 * the middle, a reorder, a changed device) would move the others' targets (vda, vdb… follow the
 * list's order), so it is pending until the next start, which defines the domain from the spec.
 */
final class HotPlug {

    private static final Pattern INTERFACE = Pattern.compile("<interface\\b[\\s\\S]*?</interface>");

    private HotPlug() {
    }

    /** How the change of {@code field} ({@code disks} or {@code interfaces}) from {@code before} to {@code next} took effect. */
    static SystemEdits.Outcome outcome(HypervisorBackend b, String id, String field, SystemSpec before, SystemSpec next,
            UnaryOperator<SystemSpec> resolve) {
        boolean disks = field.equals("disks");
        String what = disks ? "disk" : "NIC";
        SystemSpec was;
        SystemSpec now;
        try {
            was = resolve.apply(before);
            now = resolve.apply(next);
        } catch (AcpException | IllegalArgumentException e) {
            return SystemEdits.Outcome.pending(what + "s not hot-plugged: " + e.getMessage() + "; it applies at the next start");
        }
        List<?> old = disks ? was.disks() : was.interfaces();
        List<?> wanted = disks ? now.disks() : now.interfaces();
        int plugged = 0;
        try {
            if (wanted.size() > old.size() && wanted.subList(0, old.size()).equals(old)) {
                for (int i = old.size(); i < wanted.size(); i++) {
                    b.attachLive(id, disks ? DomainXml.disk(now.disks().get(i), now.diskTargets().get(i)) : DomainXml.nic(id, now.interfaces().get(i)));
                    plugged++;
                }
                return SystemEdits.Outcome.now(plugged + " " + what + (plugged == 1 ? "" : "s") + " hot-plugged");
            }
            if (wanted.size() < old.size() && old.subList(0, wanted.size()).equals(wanted)) {
                String live = disks ? null : b.xml(id).orElse("");
                for (int i = old.size() - 1; i >= wanted.size(); i--) {
                    b.detachLive(id, disks ? DomainXml.disk(was.disks().get(i), was.diskTargets().get(i)) : liveNic(live, i, id, was.interfaces().get(i)));
                    plugged++;
                }
                return SystemEdits.Outcome.now(plugged + " " + what + (plugged == 1 ? "" : "s") + " unplugged");
            }
        } catch (AcpException e) {
            return SystemEdits.Outcome.pending("the hypervisor refused to hot-plug the " + what + " (" + e.getMessage() + ")"
                    + (plugged > 0 ? " after " + plugged + " of them" : "") + "; it applies at the next start");
        }
        return SystemEdits.Outcome.pending("only " + what + "s added at or removed from the end of the list are hot-plugged (the others' "
                + (disks ? "targets" : "order") + " would change); it applies at the next start");
    }

    /**
     * The running domain's {@code index}th interface as libvirt shows it (with the MAC it chose, by
     * which libvirt finds the one to unplug); the spec's own when the live XML has no such one.
     */
    private static String liveNic(String liveXml, int index, String id, SystemSpec.Nic fromSpec) {
        Matcher m = INTERFACE.matcher(liveXml);
        for (int i = 0; m.find(); i++) {
            if (i == index) {
                return m.group();
            }
        }
        return DomainXml.nic(id, fromSpec);
    }
}
