package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The domain steps of system operations, each one trip to the hypervisor thread: define (with
 * autostart), define-and-start, remove. A step that defined a domain undefines it again when its
 * own later part fails.
 */
final class Domains {

    private static final Logger LOG = Logger.getLogger(Domains.class);

    private final SystemContext ctx;
    private final String domainType;

    Domains(SystemContext ctx, String domainType) {
        this.ctx = ctx;
        this.domainType = domainType;
    }

    /** One trip to the hypervisor thread: define if absent, start (or resume), read the result. */
    Uni<ObjectNode> defineAndStart(SystemSpec spec) {
        return defineAndStart(spec, false);
    }

    /**
     * {@link #defineAndStart(SystemSpec)} for a system whose object this create stored just now: its
     * domain is nearly always absent, so it is defined and started in one step without a look-up
     * first ({@link HypervisorBackend#defineAndStartIfAbsent}); a domain of its name that exists
     * after all is taken as {@code defineAndStart} takes it.
     */
    Uni<ObjectNode> defineNewAndStart(SystemSpec spec) {
        return defineAndStart(spec, true);
    }

    private Uni<ObjectNode> defineAndStart(SystemSpec spec, boolean isNew) {
        String id = spec.id();
        return ctx.hv().call(b -> {
            if (isNew) {
                Optional<DomainStatus> started = b.defineAndStartIfAbsent(id, xmlOf(spec), spec.autostart());
                if (started.isPresent()) {
                    ctx.reports().clearPending(id); // defined from the spec just now: every change is in the domain
                    return started;
                }
            }
            Optional<DomainStatus> s = b.status(id);
            boolean definedNow = s.isEmpty() && define(b, spec);
            if (s.isPresent() && s.get().state() == SystemState.STOPPED) {
                // Devices on pools and networks are resolved again at every start: a network down now refuses the start.
                // Redefined under its own uuid (libvirt refuses a new one for an existing name), and with
                // its interfaces' MACs where the spec names none (a system stored before MACs were
                // assigned at create): libvirt would make new ones, and the guest would see new NICs.
                Optional<String> defined = b.xml(id);
                String uuid = defined.map(DomainXml::uuid).orElse(null);
                SystemSpec again = spec.withMacsOf(defined.map(DomainXml::interfaceMacs).orElse(List.of()));
                b.define(DomainXml.withUuid(xmlOf(again), uuid));
            }
            if (s.isPresent() && s.get().state() == SystemState.PAUSED) {
                b.resume(id);
            } else if (s.isEmpty() || s.get().state() != SystemState.RUNNING) {
                Optional<DomainStatus> started;
                try {
                    started = b.startAndRead(id);
                } catch (RuntimeException e) {
                    if (definedNow) {
                        undefineQuietly(b, id);
                    }
                    throw e;
                }
                if (definedNow || s.get().state() == SystemState.STOPPED) {
                    ctx.reports().clearPending(id); // defined from the spec just now: every change is in the domain
                }
                return started;
            }
            return b.status(id);
        }).onFailure().call(f -> ctx.report(id).onFailure().recoverWithNull()).map(s -> ctx.reportOf(id, s));
    }

    /** Defines the domain if absent; true if this call defined it (so a failed later step undefines it). */
    Uni<Boolean> defineIfAbsent(SystemSpec spec) {
        return ctx.hv().call(b -> b.status(spec.id()).isEmpty() && define(b, spec));
    }

    /** Defines the domain and sets its autostart, undoing the define if that fails; true. */
    boolean define(HypervisorBackend b, SystemSpec spec) {
        b.define(xmlOf(spec));
        try {
            if (spec.autostart()) {
                b.setAutostart(spec.id(), true);
            }
        } catch (RuntimeException e) {
            undefineQuietly(b, spec.id());
            throw e;
        }
        return true;
    }

    /**
     * Undefines the domain of system {@code id}, destroying it first if it runs; without {@code force}
     * a domain that runs or is paused is refused instead ({@code conflict}, rule running-delete),
     * and left as it was.
     */
    static void remove(HypervisorBackend b, String id, boolean force, String nodeId) {
        Optional<DomainStatus> s = b.status(id);
        if (s.isPresent()) {
            SystemState state = s.get().state();
            if (RunningDelete.guards(state) && !force) {
                throw RunningDelete.refusal(id, state, nodeId);
            }
            if (state != SystemState.STOPPED) {
                b.destroy(id);
            }
            b.undefine(id);
        }
    }

    private String xmlOf(SystemSpec spec) {
        return DomainXml.of(DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices()), domainType);
    }

    private void undefineQuietly(HypervisorBackend b, String id) {
        try {
            b.undefine(id);
        } catch (RuntimeException e) {
            LOG.errorf("system %s on node %s: could not undo its define: %s", id, ctx.nodeId(), e.getMessage());
        }
    }
}
