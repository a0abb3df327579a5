package io.acp.hypervisor;

/**
 * What a running domain can be given without a restart: the maxima it was started with
 * ({@code <vcpu>} and {@code <memory>} of its XML at start).
 *
 * @param vcpus     the most vCPUs that can be online
 * @param memoryMiB the most memory the balloon can give the guest, in MiB
 */
public record LiveMaxima(int vcpus, long memoryMiB) {
}
