package io.acp.hypervisor;

import java.util.Map;
import java.util.OptionalLong;

/**
 * One stats sample of a running domain, read together: its status, and its counters where the
 * driver reports them (read and written bytes per block device, received and sent bytes per
 * interface by its host-side name, the balloon's figures in KiB: {@code actual} (the balloon's
 * size), {@code rss} (the VMM's resident memory), {@code unused} and {@code usable} (the guest's
 * view, with a balloon driver in the guest)). Empty maps where the driver reports nothing, and
 * blocks and memory empty while the VMM's monitor does not answer.
 *
 * @param monitorAnswers false while a read through the VMM's monitor has waited longer than its
 *                       bound and not returned: the VMM hangs (stopped, or stuck on its storage)
 * @param vmmPid         the process id of the domain's VMM where the VMM is a process of this node
 *                       (qemu); empty otherwise. Read once per sample, for the balloon's figures and
 *                       the VMM's supervision alike.
 */
public record DomainSample(DomainStatus status, Map<String, long[]> blocks, Map<String, long[]> interfaces, Map<String, Long> memory,
        boolean monitorAnswers, OptionalLong vmmPid) {
}
