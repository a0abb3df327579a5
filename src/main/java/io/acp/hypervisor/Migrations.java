package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.node.NodeCalls;
import io.acp.node.Revert;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.Progress;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Optional;
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
 * Each step adds its undo to a {@link Revert}; if a later one fails the undos run in reverse (assignment back, target's
 * copy removed by {@code migrate-abort}, the system started here again if it ran), so the system
 * stays where it was, running if it was. Once libvirt has moved a running domain there is no way
 * back: later failures only leave the assignment and the confirm to be finished ({@link #recover}).
 * Disks are not copied: a system's disks must be reachable from both nodes (shared storage or pool
 * volumes of the same path).
 *
 * <p>Never in two places: each node records its step in its meta of the system
 * ({@link MigrationStep}) before the step's effect can be seen, and a copy that a record protects is
 * never removed as a stray. A node that crashed half-way finishes from its record and what the CDB
 * and its own libvirt show, without calling the other node ({@link #recover}): libvirt ends a live
 * migration with the domain on exactly one side, and the CDB's assignment decides the rest.
 */
final class Migrations {

    private static final Logger LOG = Logger.getLogger(Migrations.class);
    /** How long the target protects an incoming copy it has not yet seen assigned to it in its CDB. */
    static final Duration INCOMING = Duration.ofMinutes(2);
    /** The operation whose task shows a migration's progress. */
    static final String OP = "hypervisor.migrate";

    private final SystemContext ctx;
    private final String nodeId;
    private final Assignment assignment;
    private final Domains domains;
    private final GracefulShutdown shutdown;
    private final Handoffs handoffs;
    /** The node each incoming migration was prepared by: only it may confirm or abort that migration. */
    private final java.util.Map<String, String> incomingFrom = new java.util.concurrent.ConcurrentHashMap<>();
    /** Incoming migrations whose protection was restored from their record: once that window ends too, the source's meta decides. */
    private final java.util.Set<String> restored = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Settings settings;
    private volatile OwnershipHandover handover = OwnershipHandover.NONE;

    /**
     * @param migrationUri  the libvirt URI by which other nodes' libvirt reaches this node's (null: no live migrations here)
     * @param sharedStorage the operator vouches that disks are on storage both nodes share (libvirt's UNSAFE flag)
     * @param maxDowntime   the longest pause at the end of a live move from this node (null: QEMU's default)
     */
    record Settings(String migrationUri, boolean sharedStorage, java.time.Duration maxDowntime) {
        Settings(String migrationUri, boolean sharedStorage) {
            this(migrationUri, sharedStorage, null);
        }
    }

    Migrations(SystemContext ctx, Assignment assignment, Domains domains, GracefulShutdown shutdown, Handoffs handoffs, Settings settings) {
        this.ctx = ctx;
        this.nodeId = ctx.nodeId();
        this.assignment = assignment;
        this.domains = domains;
        this.shutdown = shutdown;
        this.handoffs = handoffs;
        this.settings = settings;
    }

    /** The HA ownership group's hand-over (io.acp.ha sets it while it runs). */
    void handover(OwnershipHandover h) {
        handover = h == null ? OwnershipHandover.NONE : h;
    }

    /**
     * Systems this node must not start or stop for HA right now: a migration record of them here,
     * or an arrival still protected (the HA lease of a system that just arrived may reach this
     * node's holder a renewal later).
     */
    java.util.Set<String> inMigration() {
        java.util.Set<String> out = new java.util.TreeSet<>(ctx.reports().migrating());
        out.addAll(handoffs.activeIds());
        return out;
    }

    /** Records this node's step in the migration of {@code id} (null: it is over), in its meta. */
    private Uni<Void> record(String id, MigrationStep step) {
        // Written to disk (fsynced) before it is visible: on the hypervisor's thread, never on an event loop.
        return ctx.hv().supply(() -> {
            ctx.reports().migration(id, step);
            return null;
        }).replaceWithVoid();
    }

    private Uni<Void> advance(String id, String step) {
        return ctx.reports().migration(id).map(m -> record(id, m.next(step, ctx.reports().now()))).orElse(Uni.createFrom().voidItem());
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
        NodeSchedule.require(ctx.cdb(), target, "migrate system " + id);
        if (!handoffs.begin(id, shutdown.timeout().plus(INCOMING))) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + id + " is already being migrated from node " + nodeId);
        }
        Revert undo = new Revert();
        SystemSpec moved = spec.withNode(target);
        long started = System.nanoTime();
        Steps steps = new Steps(id, live);
        steps.at(0, "preparing on node " + target);
        return ctx.hv().call(b -> b.status(id)).chain(status -> {
            boolean running = status.isPresent() && (status.get().state() == SystemState.RUNNING || status.get().state() == SystemState.PAUSED);
            if (live && !running) {
                throw new AcpException(ErrorCode.CONFLICT, "cannot live-migrate system " + id + ": it is not running on node " + nodeId
                        + " (migrate it offline, without --live)");
            }
            ObjectNode prepare = Json.object().put("id", id).put("from", nodeId).put("live", live).put("running", running);
            prepare.set("spec", moved.toJson());
            undo.add(() -> record(id, null));
            return record(id, new MigrationStep(MigrationStep.Role.SOURCE, target, live, running, MigrationStep.PREPARING, ctx.reports().now()))
                    .chain(() -> step("prepare on node " + target, calls.call(target, "hypervisor", "migrate-prepare", prepare)))
                    .invoke(() -> undo.add(() -> calls.call(target, "hypervisor", "migrate-abort", Json.object().put("id", id))))
                    .call(() -> spec.ha() ? step("HA ownership hand-over to node " + target, handOver(id, target, undo)) : Uni.createFrom().voidItem())
                    .call(() -> advance(id, MigrationStep.MOVING))
                    .invoke(() -> steps.at(1, live ? "moving live to node " + target : "shutting down on node " + nodeId))
                    .chain(prepared -> live ? step("live migration", moveLive(id, target, prepared, undo, steps))
                            : step("shutdown on node " + nodeId, stopForMove(id, running, undo)))
                    .invoke(() -> steps.at(2, "assigning to node " + target))
                    .chain(() -> step("assignment to node " + target, assign(id, moved, spec, live, undo)))
                    .call(() -> advance(id, MigrationStep.ASSIGNED))
                    .invoke(() -> steps.at(3, "confirming on node " + target))
                    .chain(() -> step("confirm on node " + target, calls.call(target, "hypervisor", "migrate-confirm",
                            Json.object().put("id", id).put("start", running && !live))
                            // No answer: the target may have started it. Only forward then (it starts it from its record when it sees the assignment).
                            .onFailure(Migrations::outcomeUnknown).invoke(undo::done)))
                    .call(() -> live || status.isEmpty() ? Uni.createFrom().voidItem() : ctx.hv().run(b -> undefineMovedAway(b, id)))
                    .call(() -> record(id, null))
                    .map(answer -> {
                        ctx.reports().report(id, SystemState.STOPPED, false);
                        ObjectNode o = ((ObjectNode) answer).deepCopy();
                        o.put("migrated", true);
                        o.put("from", nodeId);
                        o.put("durationMs", (System.nanoTime() - started) / 1_000_000);
                        return o;
                    });
        }).onFailure().call(f -> rollBack(id, undo, f))
                .onFailure().transform(f -> failed(id, target, f))
                .eventually(() -> handoffs.end(id));
    }

    /**
     * An HA system's lease goes to the target before the system moves (both nodes hold a record of
     * the migration, so neither one's fencing starts or stops it); undone by handing it back.
     */
    private Uni<Void> handOver(String id, String target, Revert undo) {
        OwnershipHandover h = handover;
        return h.hand(id, nodeId, target)
                .invoke(() -> undo.add(() -> h.hand(id, target, nodeId)));
    }

    /** Offline: the system stops here (gracefully, forced after the timeout); undone by starting it again. */
    private Uni<Void> stopForMove(String id, boolean running, Revert undo) {
        if (!running) {
            return Uni.createFrom().voidItem();
        }
        // Last of all the undos: the target's copy is gone before this one starts again.
        undo.addLast(() -> domains.defineAndStart(ctx.specOf(id).withNode(nodeId)));
        return shutdown.shutDown(id).replaceWithVoid();
    }

    /**
     * libvirt moves the running domain. Once it has, nothing can undo that: the undos are dropped
     * (aborting the target would destroy the only copy) and what is left only goes forward.
     */
    private Uni<Void> moveLive(String id, String target, JsonNode prepared, Revert undo, Steps steps) {
        String uri = prepared.path("migrationUri").asText(null);
        if (uri == null) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "node " + target
                    + " accepts no live migration: it has no acp.hypervisor.migration-uri (its libvirt as this node's libvirt reaches it)"));
        }
        return ctx.hv().run(b -> {
                    if (settings.maxDowntime() != null) {
                        b.setMigrationMaxDowntime(id, settings.maxDowntime());
                    }
                    // the hypervisor's thread waits in libvirt until the move ends: its job figures are read beside it
                    try (ProgressReports.Poll poll = ctx.progress().poll(OP, id, () -> ctx.hv().beside(x -> x.jobProgress(id))
                            .map(p -> steps.copied(p, "copying to node " + target)))) {
                        b.migrateLive(id, uri, settings.sharedStorage());
                    }
                })
                .call(() -> {
                    undo.done();
                    return advance(id, MigrationStep.MOVED);
                });
    }

    /**
     * Writes the target into the spec, only if nobody changed the object since it was read; after a
     * live move, whatever changed: the system runs there now.
     */
    private Uni<Void> assign(String id, SystemSpec moved, SystemSpec before, boolean live, Revert undo) {
        ObjectEntry e = live || ctx.specOf(id).equals(before) ? ctx.cdb().object(SystemReports.key(id)).orElseThrow()
                : null;
        if (e == null) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "system " + id + " changed during its migration"));
        }
        if (live) {
            return ctx.cdb().putObject(SystemReports.key(id), null, ctx.specOf(id).withNode(moved.node()).toJson(), null).replaceWithVoid();
        }
        return ctx.cdb().putObject(SystemReports.key(id), null, moved.toJson(), e.version())
                .invoke(written -> undo.add(() -> ctx.cdb().putObject(SystemReports.key(id), null, before.withNode(nodeId).toJson(), null)))
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

    private Uni<Void> rollBack(String id, Revert undo, Throwable cause) {
        return undo.revert(f -> LOG.errorf("system %s on node %s: undoing a failed migration step failed: %s", id, nodeId, f.getMessage()));
    }

    /** The other node did not answer: whether it did what was asked is not known. */
    private static boolean outcomeUnknown(Throwable f) {
        return f instanceof AcpException a && (a.code() == ErrorCode.UNAVAILABLE || a.code() == ErrorCode.TIMEOUT);
    }

    /**
     * The migration's progress as its task shows it: offline, its four steps (prepare, shut down,
     * assign, confirm); live, the bytes libvirt has copied, the steps as phases around them.
     */
    private final class Steps {
        private final String id;
        private final boolean live;
        private volatile Progress copied;

        Steps(String id, boolean live) {
            this.id = id;
            this.live = live;
        }

        void at(int done, String phase) {
            Progress p = live ? (copied == null ? new Progress(0, 0, "bytes", phase) : copied.at(phase)) : new Progress(done, 4, "steps", phase);
            ctx.progress().system(OP, id, p);
        }

        /** libvirt's figures of the running move, remembered for the phases after it. */
        Progress copied(Progress p, String phase) {
            copied = p.at(phase);
            return copied;
        }
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
        boolean moved = ctx.reports().migration(id).map(m -> !m.step().equals(MigrationStep.PREPARING) && !m.step().equals(MigrationStep.MOVING))
                .orElse(false);
        String where = moved ? "; libvirt moved the system: it runs on node " + target + ", and node " + nodeId
                + " finishes the hand-over (assignment, confirm) at its next reconcile"
                : "; the system stays on node " + nodeId;
        return new AcpException(code, "migration of system " + id + " from node " + nodeId + " to node " + target + " failed at "
                + (stepName.isEmpty() ? "" : stepName) + cause.getMessage() + where, cause);
    }

    private static final class StepFailed extends RuntimeException {
        final String step;

        StepFailed(String step, Throwable cause) {
            super(cause.getMessage(), cause, false, false);
            this.step = step;
        }
    }

    // ---- recovery -------------------------------------------------------------------------------

    /**
     * Finishes every migration this node recorded but no longer drives (it restarted half-way, or a
     * step after libvirt's move failed), from its record, its own libvirt and the CDB alone, so it
     * works while the other node is down. Each rule is idempotent; run before every reconcile.
     * <ul>
     * <li>source, live: libvirt's job still runs on the domain here (it outlives the process that
     * started it) → nothing yet; else the domain still runs here → libvirt did not move it: the record goes (the
     * target drops its side when it sees that); gone from here → it moved: the CDB assigns it to
     * the target, the record goes. Until then operations on the system are refused here
     * ({@link Assignment#requireHere}): the CDB may still assign it here while it already runs there.</li>
     * <li>source, offline: assigned to the target → the target starts it; else it is started here
     * again if it ran, the record goes.</li>
     * <li>target: assigned here → arrived (started if it came offline and ran), the record goes;
     * else the copy stays protected, and the source may still confirm or abort, until the source's
     * meta shows no migration after the protection window: then the record goes and the reconcile
     * removes the copy as a stray.</li>
     * </ul>
     */
    Uni<Void> recover() {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String id : ctx.reports().migrating()) {
            chain = chain.chain(() -> recoverOne(id)
                    .onFailure().invoke(f -> LOG.errorf("system %s on node %s: finishing its migration failed, tried again at the next reconcile: %s",
                            id, nodeId, f.getMessage()))
                    .onFailure().recoverWithNull());
        }
        return chain;
    }

    private Uni<Void> recoverOne(String id) {
        MigrationStep m = ctx.reports().migration(id).orElse(null);
        java.util.Optional<ObjectEntry> entry = ctx.cdb().object(SystemReports.key(id));
        if (m == null || handoffs.blocks(id) && m.role() == MigrationStep.Role.SOURCE) {
            return Uni.createFrom().voidItem(); // the migration is driven right now by this node
        }
        if (entry.isEmpty()) {
            return record(id, null); // deleted meanwhile
        }
        String owner = entry.get().spec().path("node").asText(null);
        boolean liveSource = m.role() == MigrationStep.Role.SOURCE && m.live();
        return ctx.hv().call(b -> {
            // The job first, then the domain: once no job runs, none starts again (this node drove it), so the domain read after shows where libvirt left it.
            boolean moving = liveSource && b.jobRunning(id);
            return new Seen(moving, b.status(id));
        }).chain(seen -> {
            boolean runsHere = seen.status().isPresent() && seen.status().get().state() != SystemState.STOPPED
                    && seen.status().get().state() != SystemState.FAILED;
            if (seen.moving()) {
                // libvirt still moves it (its job outlives the process that asked for it): it may yet run on the target.
                LOG.debugf("system %s: libvirt still moves it to node %s; node %s decides when its job has ended", id, m.peer(), nodeId);
                return Uni.createFrom().voidItem();
            }
            return m.role() == MigrationStep.Role.SOURCE ? recoverSource(id, m, owner, runsHere) : recoverTarget(id, m, owner, runsHere);
        });
    }

    /** What a recovery read of libvirt: whether a job still runs on the domain, and the domain. */
    private record Seen(boolean moving, Optional<DomainStatus> status) {
    }

    private Uni<Void> recoverSource(String id, MigrationStep m, String owner, boolean runsHere) {
        if (m.live()) {
            if (runsHere || m.step().equals(MigrationStep.PREPARING)) {
                LOG.infof("system %s: its live migration to node %s did not happen (step %s); it stays on node %s", id, m.peer(), m.step(), nodeId);
                return record(id, null);
            }
            LOG.infof("system %s: libvirt moved it to node %s (step %s); node %s finishes the hand-over", id, m.peer(), m.step(), nodeId);
            Uni<?> assign = m.peer().equals(owner) ? Uni.createFrom().voidItem()
                    : ctx.cdb().putObject(SystemReports.key(id), null, ctx.specOf(id).withNode(m.peer()).toJson(), null);
            return assign.chain(() -> record(id, null))
                    .invoke(() -> ctx.reports().report(id, SystemState.STOPPED, false));
        }
        if (m.peer().equals(owner)) {
            LOG.infof("system %s: assigned to node %s, which starts it; node %s ends its side", id, m.peer(), nodeId);
            return record(id, null); // the reconcile removes the stopped copy here as a stray
        }
        LOG.infof("system %s: its offline migration to node %s stopped at step %s; it stays on node %s", id, m.peer(), m.step(), nodeId);
        Uni<?> again = m.running() && !runsHere ? domains.defineAndStart(ctx.specOf(id).withNode(nodeId)) : Uni.createFrom().voidItem();
        return again.chain(() -> record(id, null));
    }

    private Uni<Void> recoverTarget(String id, MigrationStep m, String owner, boolean runsHere) {
        // Under way with its source alive a moment ago: its confirm or abort ends it, unless the system
        // plainly arrived (moved live, assigned here) and the source may be gone.
        boolean arrived = nodeId.equals(owner) && (!m.live() || runsHere);
        if (handoffs.blocks(id) && !(arrived && m.live())) {
            return Uni.createFrom().voidItem();
        }
        if (arrived) {
            handoffs.arrived(id, INCOMING); // a late confirm from the source is answered, not refused
            boolean start = !m.live() && m.running() && !runsHere;
            return ctx.hv().run(b -> {
                if (start && b.status(id).isPresent()) {
                    b.start(id);
                }
            }).chain(() -> record(id, null)).chain(() -> ctx.report(id)).replaceWithVoid();
        }
        if (!handoffs.active(id)) {
            // After a restart: protect the copy again for a window, in which the source may still confirm or abort.
            if (!restored.add(id)) {
                // A copy that runs here is never dropped: libvirt moved it, so the assignment here is on its way.
                java.util.List<io.acp.model.MetaEntry> peer = ctx.cdb().meta(SystemReports.key(id), m.peer());
                if (!runsHere && (peer.isEmpty() || MigrationStep.of(peer.get(0).values()).isEmpty())) {
                    LOG.infof("system %s: node %s ended its migration here without it; node %s drops its side", id, m.peer(), nodeId);
                    restored.remove(id);
                    return record(id, null);
                }
                return Uni.createFrom().voidItem();
            }
            // Protected, not blocking: the source may still confirm or abort, and the assignment may arrive any moment.
            handoffs.arrived(id, INCOMING);
            incomingFrom.put(id, m.peer());
        }
        return Uni.createFrom().voidItem();
    }

    // ---- target ----------------------------------------------------------------------------------

    Uni<ObjectNode> prepare(String id, JsonNode specJson, String from, boolean live, boolean running, String caller) {
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
        NodeSchedule.require(ctx.cdb(), nodeId, "take system " + id + " from node " + from);
        boolean again = handoffs.blocks(id) && from.equals(incomingFrom.get(id)); // the source asks again: same answer
        if (!again && !handoffs.begin(id, INCOMING)) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + id + " is already being migrated to or from node " + nodeId);
        }
        return record(id, new MigrationStep(MigrationStep.Role.TARGET, from, live, running, MigrationStep.PREPARED, ctx.reports().now()))
                .chain(() -> ctx.hv().call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isPresent() && s.get().state() != SystemState.STOPPED) {
                throw new AcpException(ErrorCode.CONFLICT, "node " + nodeId + " already runs a domain named " + id + " (" + s.get().state().wireName()
                        + "); it cannot take system " + id + " from node " + from);
            }
            if (!live) {
                domains.define(b, spec);
            }
            return null;
        })).map(x -> {
            ObjectNode o = Json.object().put("id", id).put("node", nodeId);
            if (settings.migrationUri() != null) {
                o.put("migrationUri", settings.migrationUri());
            }
            return o;
        }).invoke(() -> incomingFrom.put(id, from))
                .onFailure().call(() -> record(id, null))
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

    /** Idempotent: a confirm of a migration that already arrived answers the system's report again. */
    Uni<ObjectNode> confirm(String id, boolean start, String caller) {
        if (handoffs.active(id) && !handoffs.blocks(id) && caller.equals(incomingFrom.get(id))) {
            return record(id, null)
                    .chain(() -> ctx.hv().call(b -> new Arrival(b.status(id), figures(b, id))))
                    .map(a -> arrivalReport(id, a));
        }
        requireSource(id, caller, "migrate-confirm");
        // The CDB here may not show the new assignment yet: keep the copy protected a while longer.
        handoffs.arrived(id, INCOMING);
        boolean live = ctx.reports().migration(id).map(MigrationStep::live).orElse(false);
        return ctx.hv().call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isEmpty()) {
                throw AcpException.notFound("domain " + id + " on node " + nodeId + " (the migration did not define it)");
            }
            if (start && s.get().state() == SystemState.STOPPED) {
                b.start(id);
            }
            return new Arrival(b.status(id), live ? figures(b, id) : java.util.Map.<String, Long>of());
        }).call(a -> record(id, null)).map(a -> arrivalReport(id, a));
    }

    private ObjectNode arrivalReport(String id, Arrival a) {
        ObjectNode o = ctx.reportOf(id, a.status());
        a.figures().forEach(o::put);
        return o;
    }

    /** libvirt's figures of the move, where it keeps them: a driver without them answers none. */
    private java.util.Map<String, Long> figures(HypervisorBackend b, String id) {
        try {
            return b.completedMigration(id);
        } catch (RuntimeException e) {
            LOG.debugf("no figures of the migration of system %s on node %s: %s", id, nodeId, e.getMessage());
            return java.util.Map.of();
        }
    }

    /** The arrived domain's state, and libvirt's figures of a live move ({@code downtimeMs}, {@code elapsedMs}). */
    private record Arrival(Optional<DomainStatus> status, java.util.Map<String, Long> figures) {
    }

    /** Idempotent: an abort of a migration no longer under way here changes nothing and says so. */
    Uni<ObjectNode> abort(String id, String caller) {
        if (!handoffs.active(id) && ctx.reports().migration(id).isEmpty()) {
            return Uni.createFrom().item(Json.object().put("id", id).put("node", nodeId).put("aborted", false));
        }
        requireSource(id, caller, "migrate-abort");
        incomingFrom.remove(id, caller);
        return ctx.hv().run(b -> Domains.remove(b, id, true, ctx.nodeId()))
                .call(() -> record(id, null))
                .map(x -> Json.object().put("id", id).put("node", nodeId).put("aborted", true))
                .eventually(() -> handoffs.end(id));
    }
}
