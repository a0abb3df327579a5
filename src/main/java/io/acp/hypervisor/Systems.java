package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.node.NodeCalls;
import io.acp.node.Revert;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The system operations of this node. Each is idempotent (starting a running system succeeds and
 * changes nothing), answers the system's meta as this node now reports it, and undoes its own
 * earlier steps when a later one fails: a create whose start fails leaves no domain and no object
 * behind.
 *
 * <p>A system runs only on the node its spec assigns it to ({@code node}): a create without one
 * places it ({@link Placement}) and, when the choice is another node, hands the create to that node;
 * a system without an assignment is claimed (the node written into its spec) before it starts here;
 * operations that change a system assigned to another node are refused with CONFLICT naming that node
 * ({@link Assignment}). List and show are {@link SystemViews}; moves between nodes are {@link Migrations}.
 */
public final class Systems {

    private static final Logger LOG = Logger.getLogger(Systems.class);

    private final SystemContext ctx;
    private final Assignment assignment;
    private final Domains domains;
    private final GracefulShutdown shutdown;
    private final SystemViews views;
    private final Migrations migrations;
    private final SystemSnapshots snapshots;
    private final SystemBackups backups;
    private final SystemEdits edits;
    private final Templates templates;
    private final TemplateSystems fromTemplates;
    private final BackupScheduler scheduler;
    private final Evacuation evacuation;

    Systems(String nodeId, Cdb cdb, Hypervisor hv, SystemReports reports, String domainType, Duration shutdownTimeout, Handoffs handoffs,
            Migrations.Settings migration, HostDevices hostDevices) {
        this.ctx = new SystemContext(nodeId, cdb, hv, reports, hostDevices, new ProgressReports());
        this.assignment = new Assignment(nodeId, cdb, handoffs, id -> reports.migration(id).isPresent());
        this.domains = new Domains(ctx, domainType);
        this.shutdown = new GracefulShutdown(ctx, shutdownTimeout);
        this.views = new SystemViews(ctx);
        this.migrations = new Migrations(ctx, assignment, domains, shutdown, handoffs, migration);
        this.snapshots = new SystemSnapshots(ctx, assignment);
        this.backups = new SystemBackups(ctx, assignment, this::start, java.time.Clock.systemUTC());
        this.edits = new SystemEdits(ctx, assignment);
        this.templates = new Templates(ctx, assignment, java.time.Clock.systemUTC());
        this.fromTemplates = new TemplateSystems(ctx, assignment, templates, domains);
        this.scheduler = backupScheduler(java.time.Clock.systemUTC());
        this.evacuation = new Evacuation(ctx, migrations, migration.sharedStorage());
    }

    /** Placement and hand-over to other nodes are not possible: for callers that have no way to other nodes. */
    public Uni<ObjectNode> create(String id, JsonNode specJson) {
        return create(id, specJson, NodeCalls.none(ctx.nodeId()));
    }

    /**
     * Stores the system object (if new), defines its domain and starts it, on the node the spec
     * names or, without one, on the node placement chooses: another node gets the create through
     * {@code calls}.
     */
    public Uni<ObjectNode> create(String id, JsonNode specJson, NodeCalls calls) {
        return create(id, specJson, true, calls);
    }

    /**
     * As {@link #create(String, JsonNode, NodeCalls)}; with {@code start} false it stores the
     * object and defines the domain but does not start it (the API's {@code hypervisor.create}
     * without {@code start}, like {@code qm create} and {@code incus create}).
     */
    public Uni<ObjectNode> create(String id, JsonNode specJson, boolean start, NodeCalls calls) {
        SystemSpec requested = SystemSpec.parse(SystemContext.checkedId(id), specJson);
        Cdb cdb = ctx.cdb();
        Optional<ObjectEntry> existing = cdb.object(SystemReports.key(id));
        SystemSpec spec = assignment.placed(requested, existing);
        if (!spec.node().equals(ctx.nodeId())) {
            ObjectNode args = Json.object().put("id", id).put("start", start);
            args.set("spec", spec.toJson());
            return calls.call(spec.node(), "hypervisor", "create", args).map(ObjectNode.class::cast);
        }
        ctx.reports().reinstate(id);
        if (existing.isPresent()) {
            return start ? start(id) : define(id);
        }
        // a MAC for every interface that names none, kept in the spec: the domain is defined from the
        // spec again at starts and on other nodes, and libvirt would give it a new MAC each time
        spec = spec.withMacsFrom(0, SystemSpec.Nic::randomMac);
        Uni<ObjectNode> domain = start
                ? domains.defineNewAndStart(spec)
                : domains.defineIfAbsent(spec).chain(defined -> ctx.report(id));
        Revert revert = new Revert();
        return cdb.writer().putObject(SystemReports.key(id), null, spec.toJson(), Cdb.ABSENT)
                .invoke(() -> revert.add(() -> cdb.writer().deleteObject(SystemReports.key(id))))
                .chain(() -> domain)
                .invoke(revert::done)
                .onFailure().call(f -> revert.revert(undo -> LOG.warnf("system %s: its object stays after the failed create: %s", id, undo.getMessage())));
    }

    /**
     * Makes system {@code id} from template {@code template} (see {@link TemplateSystems}): overlays
     * on its volumes (copies with {@code full}), a cloud-init seed from {@code cloudInit}, the
     * template's spec with {@code overrides}; placed like {@link #create(String, JsonNode, boolean, NodeCalls)}.
     */
    public Uni<ObjectNode> createFromTemplate(String id, String template, JsonNode overrides, JsonNode cloudInit, boolean full, boolean start,
            NodeCalls calls) {
        return fromTemplates.create(id, template, overrides, cloudInit, full, start, calls);
    }

    /** This node's backups and restores (tests prune directly). */
    SystemBackups backups() {
        return backups;
    }

    /** The scheduled backups of this node's systems on {@code clock} (tests give their own). */
    BackupScheduler backupScheduler(java.time.Clock clock) {
        return new BackupScheduler(ctx, new SystemBackups(ctx, assignment, this::start, clock), clock);
    }

    /** Runs the backups that are due now (see {@link BackupScheduler}); answers how many were made. */
    public Uni<Integer> runDueBackups() {
        return scheduler.tick().map(List::size);
    }

    /**
     * Records the scheduled backups as tasks through {@code recorder}: {@code (op, system, work)} runs
     * {@code work} and answers its result (the API service installs its task log here).
     */
    public void recordScheduledWith(TaskHook recorder) {
        scheduler.recordWith(recorder::run);
    }

    /** Sends how far migrations, evacuations and backups have come to {@code sink} (the API's task log). */
    public void reportProgressTo(io.acp.model.Progress.Sink sink) {
        ctx.progress().sendTo(sink);
    }

    /** How a node-initiated operation on a system is recorded (the API's task log). */
    @FunctionalInterface
    public interface TaskHook {
        Uni<ObjectNode> run(String op, String system, java.util.function.Supplier<Uni<ObjectNode>> work);
    }

    /** Makes template {@code name} of the stopped system {@code from}: see {@link Templates}. */
    public Uni<ObjectNode> templateCreate(String name, String from, String pool) {
        return templates.create(name, from, pool);
    }

    public Uni<ArrayNode> templateList() {
        return templates.list();
    }

    public Uni<ObjectNode> templateShow(String name) {
        return templates.show(name);
    }

    /** Deletes a template no system uses, with its volumes where this node reaches its pool. */
    public Uni<ObjectNode> templateDelete(String name) {
        return templates.delete(name);
    }

    /** Changes fields of a system's spec; see {@link SystemEdits}. */
    public Uni<ObjectNode> set(String id, JsonNode changes) {
        return edits.set(id, changes);
    }

    /** Defines the domain of an existing system object (no start). */
    public Uni<ObjectNode> define(String id) {
        return assignment.claim(ctx.specOf(id), "define").chain(domains::defineIfAbsent).chain(defined -> ctx.report(id));
    }

    public Uni<ObjectNode> start(String id) {
        return assignment.claim(ctx.specOf(id), "start").chain(domains::defineAndStart);
    }

    /** Asks the guest to shut down, and destroys it if it has not stopped after the shutdown timeout. */
    public Uni<ObjectNode> shutdown(String id) {
        assignment.requireHere(ctx.specOf(id), "shut down");
        return shutdown.shutDown(id);
    }

    /** Stops at once (destroy): what a pulled plug does to the guest. */
    public Uni<ObjectNode> stop(String id) {
        assignment.requireHere(ctx.specOf(id), "stop");
        return ctx.hv().call(b -> b.destroyUnlessStopped(id)).map(s -> ctx.reportOf(id, s));
    }

    /**
     * Fencing (io.acp.ha): destroys this node's domain of {@code id} whatever the system's assignment
     * says, because a node that lost its HA lease must kill its copy even when the CDB already names
     * another node. Stopped or absent: nothing to do.
     */
    public Uni<ObjectNode> fence(String id) {
        return ctx.hv().call(b -> b.destroyUnlessStopped(id)).map(s -> ctx.reportOf(id, s));
    }

    public Uni<ObjectNode> pause(String id) {
        return changeActive(id, "pause", SystemState.RUNNING, b -> b.pause(id));
    }

    public Uni<ObjectNode> resume(String id) {
        return changeActive(id, "resume", SystemState.PAUSED, b -> b.resume(id));
    }

    /** A graceful shutdown (forced after the timeout), then a start. */
    public Uni<ObjectNode> restart(String id) {
        return shutdown(id).chain(() -> start(id));
    }

    /** Stops and undefines the domain, then deletes the object (its meta goes with it). */
    public Uni<ObjectNode> delete(String id) {
        return delete(id, false);
    }

    /**
     * Deletes system {@code id}: undefines its domain and writes the object's tombstone. A system
     * that runs or is paused is refused ({@code conflict}, rule running-delete) unless {@code force},
     * which stops it at once first, as Proxmox VE and Incus ask a running guest to be stopped before
     * it is destroyed: a mistyped delete must not pull the plug of a running guest.
     */
    public Uni<ObjectNode> delete(String id, boolean force) {
        assignment.requireHere(ctx.specOf(id), "delete");
        ctx.reports().retire(id);
        return ctx.hv().run(b -> Domains.remove(b, id, force, ctx.nodeId()))
                .chain(() -> ctx.cdb().deleteObject(SystemReports.key(id)))
                .onFailure().invoke(f -> ctx.reports().reinstate(id))
                .map(tombstone -> {
                    ObjectNode o = Json.object();
                    o.put("id", id);
                    o.put("deleted", true);
                    o.put("node", ctx.nodeId());
                    return o;
                });
    }

    /** Every system object with this node's report on it (see {@link SystemViews}). */
    public Uni<ArrayNode> list() {
        return views.list();
    }

    /** The system objects {@code which} selects, each with this node's report on it: no status read of the others. */
    public Uni<ArrayNode> list(java.util.function.Predicate<io.acp.model.ObjectEntry> which) {
        return views.list(which);
    }

    /** One system: its object entry and its report (from the node it is assigned to, when that is another). */
    public Uni<ObjectNode> show(String id) {
        return views.show(id);
    }

    /** Where to reach the running system's consoles: graphics (type, host, port) and serial ones (pty path). */
    public Uni<ObjectNode> consoleInfo(String id) {
        assignment.requireHere(ctx.specOf(id), "show the console of");
        return ConsoleXml.info(ctx.hv(), ctx.nodeId(), id);
    }

    /**
     * Moves a system to node {@code target} through {@code calls} (see {@link Migrations}); if
     * anything fails it stays here, running if it ran.
     */
    /** Finishes migrations this node recorded but no longer drives (see {@link Migrations#recover}); before every reconcile. */
    Uni<Void> recoverMigrations() {
        return migrations.recover();
    }

    public Uni<ObjectNode> migrate(String id, String target, boolean live, NodeCalls calls) {
        return migrations.migrate(id, target, live, calls);
    }

    /**
     * The target's side of a migration: defines the incoming system's domain (not for live ones).
     * {@code caller} is the node whose certificate carried the step: it must be {@code from}, the
     * node this node's CDB assigns the system to. Confirm and abort are answered only for that node.
     */
    public Uni<ObjectNode> acceptMigration(String id, JsonNode spec, String from, boolean live, boolean running, String caller) {
        return migrations.prepare(id, spec, from, live, running, caller);
    }

    /** The target's side once the source handed the system over: starts it here if it ran there. */
    public Uni<ObjectNode> confirmMigration(String id, boolean start, String caller) {
        return migrations.confirm(id, start, caller);
    }

    /** The target's side when the source gives up: removes the copy this node defined. */
    public Uni<ObjectNode> abortMigration(String id, String caller) {
        return migrations.abort(id, caller);
    }

    /**
     * Empties this node ({@code node} must name it) for maintenance: marks it unschedulable and
     * moves every system off it, to {@code to} if given (see {@link Evacuation}). {@code by} is who asked.
     */
    public Uni<ObjectNode> evacuate(String node, String to, boolean wait, String by, NodeCalls calls) {
        return evacuation.evacuate(node, to, wait, by, calls);
    }

    /** Makes {@code node} schedulable again and forgets its evacuation. */
    public Uni<ObjectNode> resumeNode(String node) {
        return evacuation.resume(node);
    }

    /** Sets how a migration hands an HA system's ownership over (io.acp.ha while it runs; null: none). */
    public void handOverWith(OwnershipHandover handover) {
        migrations.handover(handover);
    }

    /** Systems in a migration to or from this node (or just arrived): HA fencing leaves them alone. */
    public java.util.Set<String> inMigration() {
        return migrations.inMigration();
    }

    /** After a restart: an evacuation recorded as running here is recorded as interrupted. */
    Uni<Void> markInterruptedEvacuation() {
        return evacuation.markInterrupted();
    }

    /** This node's schedulability for its node meta. */
    java.util.Map<String, String> scheduleMeta() {
        return evacuation.meta();
    }

    /** Keeps the node meta's schedulability in line with the node object (every reconcile). */
    void publishScheduleMeta() {
        evacuation.publishMeta();
    }

    /** Takes a snapshot of the system's disks (with its memory when {@code memory}, which needs it running): see {@link SystemSnapshots}. */
    public Uni<ObjectNode> snapshotCreate(String id, String name, boolean memory, String description) {
        return snapshots.create(id, name, memory, description);
    }

    public Uni<ObjectNode> snapshotList(String id) {
        return snapshots.list(id);
    }

    public Uni<ObjectNode> snapshotRevert(String id, String name) {
        return snapshots.revert(id, name);
    }

    public Uni<ObjectNode> snapshotDelete(String id, String name) {
        return snapshots.delete(id, name);
    }

    /** A full backup of the stopped system into storage pool {@code pool} of this node: see {@link SystemBackups}. */
    public Uni<ObjectNode> backup(String id, String pool) {
        return backups.backup(id, pool);
    }

    /** The backups of system {@code id} in pool {@code pool} (every reachable pool when null): see {@link SystemBackups#list}. */
    public Uni<ObjectNode> backupList(String id, String pool) {
        return backups.list(id, pool);
    }

    /** Verifies backup {@code backup} in pool {@code pool}, copies its disks back and starts the system. */
    public Uni<ObjectNode> restore(String id, String pool, String backup) {
        return backups.restore(id, pool, backup);
    }

    /** As {@link #restore(String, String, String)}, into a new system {@code as} beside the original when not null (see {@link SystemBackups}). */
    public Uni<ObjectNode> restore(String id, String pool, String backup, String as) {
        return backups.restore(id, pool, backup, as);
    }

    /**
     * Pause and resume: CONFLICT unless the system is active here; {@code change} only when it is
     * {@code from} (pausing a paused system changes nothing).
     */
    private Uni<ObjectNode> changeActive(String id, String op, SystemState from, Consumer<HypervisorBackend> change) {
        assignment.requireHere(ctx.specOf(id), op);
        return ctx.hv().call(b -> {
            if (requireActive(id, b.status(id), op) == from) {
                change.accept(b);
            }
            return null;
        }).chain(() -> ctx.report(id));
    }

    private SystemState requireActive(String id, Optional<DomainStatus> s, String op) {
        if (s.isEmpty() || s.get().state() == SystemState.STOPPED || s.get().state() == SystemState.FAILED) {
            throw new AcpException(ErrorCode.CONFLICT, "cannot " + op + " system " + id + ": it is not running on node " + ctx.nodeId()
                    + " (start it first)");
        }
        return s.get().state();
    }
}
