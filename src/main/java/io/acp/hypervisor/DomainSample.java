package io.acp.hypervisor;

import java.util.Map;

/**
 * One stats sample of a running domain, read together: its status, and its counters where the
 * driver reports them (read and written bytes per block device, received and sent bytes per
 * interface by its host-side name, the balloon's figures in KiB).
 */
public record DomainSample(DomainStatus status, Map<String, long[]> blocks, Map<String, long[]> interfaces, Map<String, Long> memory) {
}
