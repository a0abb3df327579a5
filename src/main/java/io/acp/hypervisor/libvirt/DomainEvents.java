package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.DomainEventKind;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.StoppedDetail;

/** libvirt's domain lifecycle events, translated to {@link DomainEventKind}s and handed on by domain name. */
final class DomainEvents {

    private static final Logger LOG = Logger.getLogger(DomainEvents.class);

    private volatile BiConsumer<String, DomainEventKind> sink = (name, kind) -> { };

    void sendTo(BiConsumer<String, DomainEventKind> sink) {
        this.sink = sink;
    }

    /** Runs on libvirt's event thread: translate and hand on, never call back into libvirt beyond the name. */
    int onLifecycle(Domain domain, DomainEvent event) {
        try {
            DomainEventKind kind = switch (event.getType()) {
                case DEFINED -> DomainEventKind.DEFINED;
                case UNDEFINED -> DomainEventKind.UNDEFINED;
                case STARTED -> DomainEventKind.STARTED;
                case SUSPENDED, PMSUSPENDED -> DomainEventKind.PAUSED;
                case RESUMED -> DomainEventKind.RESUMED;
                case STOPPED -> crashed(event) ? DomainEventKind.CRASHED : DomainEventKind.STOPPED;
                case CRASHED -> DomainEventKind.CRASHED;
                default -> null;
            };
            if (kind != null) {
                sink.accept(domain.getName(), kind);
            }
        } catch (LibvirtException | RuntimeException e) {
            LOG.warnf("cannot handle libvirt event %s: %s", event, e.getMessage());
        }
        return 0;
    }

    private static boolean crashed(DomainEvent event) {
        Object detail = event.getDetail();
        return detail == StoppedDetail.CRASHED || detail == StoppedDetail.FAILED;
    }
}
