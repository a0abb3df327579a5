package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.DomainStatus;
import io.acp.hypervisor.SystemState;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/** A domain's status as libvirt's domain info tells it, its state mapped to a {@link SystemState}. */
final class DomainStates {

    private DomainStates() {
    }

    static DomainStatus status(Domain d) throws LibvirtException {
        return status(d, d.getName());
    }

    /** The status of domain {@code d}, whose name the caller knows (it looked the domain up by it): one libvirt call fewer. */
    static DomainStatus status(Domain d, String name) throws LibvirtException {
        DomainInfo info = d.getInfo();
        return new DomainStatus(name, state(info.state), info.nrVirtCpu, info.memory, info.maxMem, info.cpuTime);
    }

    /** The state libvirt numbers {@code s} (virDomainState; libvirt-java's enum is in its order). */
    static SystemState state(int s) {
        DomainInfo.DomainState[] states = DomainInfo.DomainState.values();
        return state(s >= 0 && s < states.length ? states[s] : DomainInfo.DomainState.VIR_DOMAIN_NOSTATE);
    }

    static SystemState state(DomainInfo.DomainState s) {
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> SystemState.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> SystemState.PAUSED;
            case VIR_DOMAIN_CRASHED -> SystemState.FAILED;
            // SHUTDOWN = still shutting down: it runs until it reaches SHUTOFF.
            case VIR_DOMAIN_SHUTDOWN -> SystemState.RUNNING;
            case VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_NOSTATE -> SystemState.STOPPED;
        };
    }
}
