package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.HypervisorBackend;
import io.acp.hypervisor.HypervisorBackends;
import jakarta.enterprise.context.ApplicationScoped;

/** The hypervisor's backends are libvirt connections. */
@ApplicationScoped
public class LibvirtBackends implements HypervisorBackends {

    @Override
    public HypervisorBackend open(String uri, String nodeId) {
        return new LibvirtBackend(uri, nodeId);
    }
}
