package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.node.NodeCalls;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Moves systems between nodes. The source drives; the target answers three hypervisor operations
 * through its agent:
 *
 * <pre>
 * source                                   target
 *   migrate-prepare {id, spec, from, live} ─▶ defines the domain (offline), answers its migration URI
 *   offline: shut the system down here
 *   live:    libvirt moves the running domain to that URI
 *   assign the system to the target (conditional CDB write)
 *   migrate-confirm {id, start}            ─▶ starts it if it ran here (offline)
 *   undefine the domain here
 * </pre>
 *
 * Each step pushes its undo; if a later one fails the undos run in reverse (assignment back, target's
 * copy removed by {@code migrate-abort}, the system started here again if it ran), so the system
 * stays where it was, running if it was. Disks are not copied: a system's disks must be reachable from
 * both nodes (shared storage or pool volumes of the same path).
 */
final class Migrations {

    private static final Logger LOG = Logger.getLogger(Migrations.class);
    /** How long the target protects an incoming copy it has not yet seen assigned to it in its CDB. */
    static final Duration INCOMING = Duration.ofMinutes(2);

    private final SystemContext ctx;
    private final String nodeId;
    private final Assignment assignment;
    private final Domains domains;
    private final GracefulShutdown shutdown;
    private final Handoffs handoffs;
    /** The node each incoming migration was prepared by: only it may confirm or abort that migration. */
    private final java.util.Map<String, String> incomingFrom = new java.util.concurrent.ConcurrentHashMap<>();
    private final String migrationUri;

    Migrations(SystemContext ctx, Assignment assignment, Domains domains, GracefulShutdown shutdown, Handoffs handoffs, String migrationUri) {
        this.ctx = ctx;
        this.nodeId = ctx.nodeId();
        this.assignment = assignment;
        this.domains = domains;
        this.shutdown = shutdown;
        this.handoffs = handoffs;
        this.migrationUri = migrationUri;
    }

    // ---- source ----------------------------------------------------------------------------------

    Uni<ObjectNode> migrate(String id, String target, boolean live, NodeCalls calls) {
        SystemSpec spec = ctx.specOf(id);
        if (target == null || target.isBlank()) {
            throw AcpException.badRequest("migrate system " + id + ": name the target node ('to')");
        }
        if (target.equals(spec.node()) || (spec.node() == null && target.equals(nodeId))) {
            return ctx.report(id).map(r -> r.put("migrated", false)); // already there
        }
        assignment.requireHere(spec, "migrate");
        if (!handoffs.begin(id, shutdown.timeout().plus(INCOMING))) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + id + " is already being migrated from node " + nodeId);
        }
        Deque<Supplier<Uni<?>>> undo = new ArrayDeque<>();
        SystemSpec moved = spec.withNode(target);
        return ctx.hv().call(b -> b.status(id)).chain(status -> {
            boolean running = status.isPresent() && (status.get().state() == SystemState.RUNNING || status.get().state() == SystemState.PAUSED);
            if (live && !running) {
                throw new AcpException(ErrorCode.CONFLICT, "cannot live-migrate system " + id + ": it is not running on node " + nodeId
                        + " (migrate it offline, without --live)");
            }
            ObjectNode prepare = Json.object().put("id", id).put("from", nodeId).put("live", live);
            prepare.set("spec", moved.toJson());
            return step("prepare on node " + target, calls.call(target, "hypervisor", "migrate-prepare", prepare))
                    .invoke(() -> undo.push(() -> calls.call(target, "hypervisor", "migrate-abort", Json.object().put("id", id))))
                    .chain(prepared -> live ? step("live migration", moveLive(id, target, prepared))
                            : step("shutdown on node " + nodeId, stopForMove(id, running, undo)))
                    .chain(() -> step("assignment to node " + target, assign(id, moved, spec, undo)))
                    .chain(() -> step("confirm on node " + target, calls.call(target, "hypervisor", "migrate-confirm",
                            Json.object().put("id", id).put("start", running && !live))))
                    .call(() -> live || status.isEmpty() ? Uni.createFrom().voidItem() : ctx.hv().run(b -> undefineMovedAway(b, id)))
                    .map(answer -> {
                        ctx.reports().report(id, SystemState.STOPPED, false);
                        ObjectNode o = ((ObjectNode) answer).deepCopy();
                        o.put("migrated", true);
                        o.put("from", nodeId);
                        return o;
                    });
        }).onFailure().call(f -> rollBack(id, undo, f))
                .onFailure().transform(f -> failed(id, target, f))
                .eventually(() -> handoffs.end(id));
    }

    /** Offline: the system stops here (gracefully, forced after the timeout); undone by starting it again. */
    private Uni<Void> stopForMove(String id, boolean running, Deque<Supplier<Uni<?>>> undo) {
        if (!running) {
            return Uni.createFrom().voidItem();
        }
        // Last of all the undos: the target's copy is gone before this one starts again.
        undo.addLast(() -> domains.defineAndStart(ctx.specOf(id).withNode(nodeId)));
        return shutdown.shutDown(id).replaceWithVoid();
    }

    private Uni<Void> moveLive(String id, String target, JsonNode prepared) {
        String uri = prepared.path("migrationUri").asText(null);
        if (uri == null) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "node " + target
                    + " accepts no live migration: it has no acp.hypervisor.migration-uri (its libvirt as this node's libvirt reaches it)"));
        }
        return ctx.hv().run(b -> b.migrateLive(id, uri));
    }

    /** Writes the target into the spec, only if nobody changed the object since it was read. */
    private Uni<Void> assign(String id, SystemSpec moved, SystemSpec before, Deque<Supplier<Uni<?>>> undo) {
        ObjectEntry e = ctx.specOf(id).equals(before) ? ctx.cdb().object(SystemReports.key(id)).orElseThrow()
                : null;
        if (e == null) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "system " + id + " changed during its migration"));
        }
        return ctx.cdb().putObject(SystemReports.key(id), null, moved.toJson(), e.version())
                .invoke(written -> undo.push(() -> ctx.cdb().putObject(SystemReports.key(id), null, before.withNode(nodeId).toJson(), null)))
                .replaceWithVoid();
    }

    /** The system runs on the target now: a copy left here is removed by the next reconcile if this fails. */
    private void undefineMovedAway(HypervisorBackend b, String id) {
        try {
            b.undefine(id);
        } catch (RuntimeException e) {
            LOG.warnf("system %s moved away from node %s, whose copy is left until the next reconcile: %s", id, nodeId, e.getMessage());
        }
    }

    private Uni<Void> rollBack(String id, Deque<Supplier<Uni<?>>> undo, Throwable cause) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        while (!undo.isEmpty()) {
            Supplier<Uni<?>> step = undo.pop();
            chain = chain.chain(() -> Uni.createFrom().deferred(step).replaceWithVoid()
                    .onFailure().invoke(f -> LOG.errorf("system %s on node %s: undoing a failed migration step failed: %s", id, nodeId, f.getMessage()))
                    .onFailure().recoverWithNull());
        }
        return chain;
    }

    /** A step whose failure names it. */
    private static <T> Uni<T> step(String name, Uni<T> work) {
        return work.onFailure().transform(f -> new StepFailed(name, f));
    }

    /** A failure names the step and says where the system is now. */
    private AcpException failed(String id, String target, Throwable f) {
        String stepName = f instanceof StepFailed s ? s.step + ": " : "";
        Throwable cause = f instanceof StepFailed ? f.getCause() : f;
        ErrorCode code = cause instanceof AcpException a ? a.code() : ErrorCode.INTERNAL;
        return new AcpException(code, "migration of system " + id + " from node " + nodeId + " to node " + target + " failed at "
                + (stepName.isEmpty() ? "" : stepName) + cause.getMessage() + "; the system stays on node " + nodeId, cause);
    }

    private static final class StepFailed extends RuntimeException {
        final String step;

        StepFailed(String step, Throwable cause) {
            super(cause.getMessage(), cause, false, false);
            this.step = step;
        }
    }

    // ---- target ----------------------------------------------------------------------------------

    Uni<ObjectNode> prepare(String id, JsonNode specJson, String from, boolean live, String caller) {
        SystemSpec spec = SystemSpec.parse(id, specJson);
        if (!from.equals(caller)) {
            throw new AcpException(ErrorCode.FORBIDDEN, "rule migration-assignment: migrate-prepare of system " + id + " names node " + from
                    + " as its source, but node " + caller + " sent it");
        }
        String assigned = ctx.cdb().object(SystemReports.key(SystemContext.checkedId(id))).map(e -> e.spec().path("node").asText(null)).orElse(null);
        if (!from.equals(assigned)) {
            throw new AcpException(ErrorCode.FORBIDDEN, "rule migration-assignment: node " + nodeId + " does not see system " + id
                    + " assigned to node " + from + " (it sees " + (assigned == null ? "no assignment" : "node " + assigned)
                    + "); only the node a system is assigned to may migrate it");
        }
        if (!nodeId.equals(spec.node())) {
            throw AcpException.badRequest("migrate-prepare on node " + nodeId + ": the incoming spec of system " + id + " assigns it to node "
                    + spec.node() + ", not here");
        }
        if (!handoffs.begin(id, INCOMING)) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + id + " is already being migrated to or from node " + nodeId);
        }
        return ctx.hv().call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isPresent() && s.get().state() != SystemState.STOPPED) {
                throw new AcpException(ErrorCode.CONFLICT, "node " + nodeId + " already runs a domain named " + id + " (" + s.get().state().wireName()
                        + "); it cannot take system " + id + " from node " + from);
            }
            if (!live) {
                domains.define(b, spec);
            }
            return null;
        }).map(x -> {
            ObjectNode o = Json.object().put("id", id).put("node", nodeId);
            if (migrationUri != null) {
                o.put("migrationUri", migrationUri);
            }
            return o;
        }).invoke(() -> incomingFrom.put(id, from))
                .onFailure().invoke(() -> handoffs.end(id));
    }

    /** FORBIDDEN unless an incoming migration of {@code id} is under way here and was prepared by {@code caller}. */
    private void requireSource(String id, String caller, String step) {
        String from = handoffs.active(id) ? incomingFrom.get(id) : null;
        if (from == null) {
            throw new AcpException(ErrorCode.CONFLICT, "node " + nodeId + " has no migration of system " + id + " under way (prepare it first); "
                    + step + " from node " + caller + " changed nothing");
        }
        if (!from.equals(caller)) {
            throw new AcpException(ErrorCode.FORBIDDEN, "rule migration-assignment: " + step + " of system " + id + " from node " + caller
                    + " refused: node " + nodeId + " has " + (from == null ? "no incoming migration of it" : "its migration from node " + from
                    + " under way") + "; nothing was changed");
        }
    }

    Uni<ObjectNode> confirm(String id, boolean start, String caller) {
        requireSource(id, caller, "migrate-confirm");
        if (!handoffs.blocks(id)) {
            throw new AcpException(ErrorCode.CONFLICT, "node " + nodeId + " has no migration of system " + id + " under way (prepare it first)");
        }
        // The CDB here may not show the new assignment yet: keep the copy protected a while longer.
        handoffs.arrived(id, INCOMING);
        return ctx.hv().call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isEmpty()) {
                throw AcpException.notFound("domain " + id + " on node " + nodeId + " (the migration did not define it)");
            }
            if (start && s.get().state() == SystemState.STOPPED) {
                b.start(id);
            }
            return b.status(id);
        }).map(s -> ctx.reportOf(id, s));
    }

    Uni<ObjectNode> abort(String id, String caller) {
        requireSource(id, caller, "migrate-abort");
        incomingFrom.remove(id, caller);
        return ctx.hv().run(b -> Domains.remove(b, id))
                .map(x -> Json.object().put("id", id).put("node", nodeId).put("aborted", true))
                .eventually(() -> handoffs.end(id));
    }
}
