package io.acp.hypervisor;

import java.util.Optional;

/**
 * Every domain of the node as one listing gave them, each read when the reconcile comes to it:
 * the reconcile reads them a few at a time, one trip to the hypervisor's thread each, so the
 * creates, stops and migrations queued on that thread run between the parts. A status is read at
 * the moment it is judged, in the same trip, so an operation that ran since the listing is seen,
 * never overwritten by what the listing saw before it.
 */
public interface DomainListing extends AutoCloseable {

    /**
     * The status of listed domain {@code name}, read now (libvirt: on the handle it was listed by,
     * then let go, so once per name); empty if it was not listed or is gone since.
     */
    Optional<DomainStatus> read(String name);

    /** Lets go of the domains not read (libvirt: their handles). */
    @Override
    void close();
}
