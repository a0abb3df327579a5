package io.acp.hypervisor;

/**
 * Opens the backend the hypervisor service drives. The libvirt package provides the one
 * implementation as a bean, so this package never imports the package that implements it.
 */
@FunctionalInterface
public interface HypervisorBackends {

    /** A backend for {@code uri}, not yet connected, reporting as node {@code nodeId}. */
    HypervisorBackend open(String uri, String nodeId);
}
