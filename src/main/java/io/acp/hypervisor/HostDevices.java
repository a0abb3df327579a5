package io.acp.hypervisor;

import io.acp.model.ConfinedPath;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.List;

/**
 * The host resources this node lets a system use directly, from its configuration: raw paths and
 * block devices inside {@code acp.hypervisor.allowed-device-paths} (followed through symlinks) and
 * the host bridges in {@code acp.hypervisor.allowed-bridges}. Everything else a system uses is an
 * ACP volume or network. The API lets only admins write such devices into a spec; this check is
 * the node's own, made each time a domain is defined, so a spec from anywhere (a replicated
 * object, a migration) cannot reach past it.
 */
record HostDevices(List<Path> allowedPaths, List<String> allowedBridges) {

    static final HostDevices NONE = new HostDevices(List.of(), List.of());

    static HostDevices of(HypervisorConfig config) {
        return new HostDevices(List.copyOf(config.allowedDevicePaths().orElse(List.of())), List.copyOf(config.allowedBridges().orElse(List.of())));
    }

    /** FORBIDDEN unless {@code path} leads (symlinks followed) strictly inside an allowed device path. */
    void requirePath(String system, String nodeId, String path) {
        Path leadsTo = ConfinedPath.resolve(Path.of(path));
        if (ConfinedPath.rootOfResolved(leadsTo, allowedPaths).isEmpty() && !allowedPaths.contains(leadsTo)) {
            throw new AcpException(ErrorCode.FORBIDDEN, "system " + system + ": disk path " + path + " (leads to " + leadsTo
                    + ") is not inside acp.hypervisor.allowed-device-paths " + allowedPaths + " of node " + nodeId
                    + " (rule host-device); use a volume of an ACP pool");
        }
    }

    /** FORBIDDEN unless {@code bridge} is listed in acp.hypervisor.allowed-bridges. */
    void requireBridge(String system, String nodeId, String bridge) {
        if (!allowedBridges.contains(bridge)) {
            throw new AcpException(ErrorCode.FORBIDDEN, "system " + system + ": host bridge " + bridge + " is not in acp.hypervisor.allowed-bridges "
                    + allowedBridges + " of node " + nodeId + " (rule host-bridge); attach the interface to an ACP network");
        }
    }
}
