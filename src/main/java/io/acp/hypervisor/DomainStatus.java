package io.acp.hypervisor;

/**
 * One domain as the hypervisor sees it right now.
 *
 * @param cpuTimeNanos CPU time used since the domain started
 * @param memoryKiB    memory in use; {@code maxMemoryKiB} what it may balloon up to
 */
public record DomainStatus(String name, SystemState state, int vcpus, long memoryKiB, long maxMemoryKiB, long cpuTimeNanos) {
}
