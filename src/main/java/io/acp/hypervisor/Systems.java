package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.framework.NodeCalls;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * operations that change a system assigned to another node are refused with CONFLICT naming that node.
 */
public final class Systems {

    private static final Logger LOG = Logger.getLogger(Systems.class);
    private static final Duration SHUTDOWN_POLL = Duration.ofMillis(100);

    private final String nodeId;
    private final Cdb cdb;
    private final Hypervisor hv;
    private final SystemReports reports;
    private final String domainType;
    private final Duration shutdownTimeout;
    final Handoffs handoffs;
    private final Migrations migrations;
    private final Assignment assignment;

    Systems(String nodeId, Cdb cdb, Hypervisor hv, SystemReports reports, String domainType, Duration shutdownTimeout, Handoffs handoffs,
            String migrationUri) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.hv = hv;
        this.reports = reports;
        this.domainType = domainType;
        this.shutdownTimeout = shutdownTimeout;
        this.handoffs = handoffs;
        this.assignment = new Assignment(nodeId, cdb, handoffs);
        this.migrations = new Migrations(this, nodeId, cdb, hv, reports, handoffs, shutdownTimeout, migrationUri);
    }

    /** Placement and hand-over to other nodes are not possible: for callers that have no way to other nodes. */
    public Uni<ObjectNode> create(String id, JsonNode specJson) {
        return create(id, specJson, NodeCalls.none(nodeId));
    }

    /**
     * Stores the system object (if new), defines its domain and starts it, on the node the spec
     * names or, without one, on the node placement chooses: another node gets the create through
     * {@code calls}.
     */
    public Uni<ObjectNode> create(String id, JsonNode specJson, NodeCalls calls) {
        SystemSpec requested = SystemSpec.parse(checkedId(id), specJson);
        Optional<ObjectEntry> existing = cdb.object(SystemReports.key(id));
        SystemSpec spec = assignment.placed(requested, existing);
        if (!spec.node().equals(nodeId)) {
            ObjectNode args = Json.object().put("id", id);
            args.set("spec", spec.toJson());
            return calls.call(spec.node(), "hypervisor", "create", args).map(ObjectNode.class::cast);
        }
        reports.reinstate(id);
        if (existing.isPresent()) {
            return start(id);
        }
        return cdb.putObject(SystemReports.key(id), null, spec.toJson(), Cdb.ABSENT)
                .chain(() -> defineAndStart(spec)
                        .onFailure().call(f -> cdb.deleteObject(SystemReports.key(id)).onFailure().recoverWithNull()));
    }

    /** Defines the domain of an existing system object (no start). */
    public Uni<ObjectNode> define(String id) {
        return assignment.claim(specOf(id), "define").chain(spec -> ensureDefined(spec)).chain(defined -> report(id));
    }

    public Uni<ObjectNode> start(String id) {
        return assignment.claim(specOf(id), "start").chain(this::defineAndStart);
    }

    /** Asks the guest to shut down, and destroys it if it has not stopped after the shutdown timeout. */
    public Uni<ObjectNode> shutdown(String id) {
        requireHere(specOf(id), "shut down");
        return shutdownHere(id);
    }

    /** The shutdown itself, for callers that checked the system is here (a migration's source). */
    Uni<ObjectNode> shutdownHere(String id) {
        return hv.call(b -> b.status(id)).chain(s -> {
            if (s.isEmpty() || s.get().state() == SystemState.STOPPED) {
                return report(id);
            }
            long deadline = System.nanoTime() + shutdownTimeout.toNanos();
            boolean paused = s.get().state() == SystemState.PAUSED;
            return hv.run(b -> {
                if (paused) {
                    b.resume(id); // a paused guest cannot see the shutdown request
                }
                b.shutdown(id);
            }).chain(() -> awaitStopped(id, deadline));
        });
    }

    /** Stops at once (destroy): what a pulled plug does to the guest. */
    public Uni<ObjectNode> stop(String id) {
        requireHere(specOf(id), "stop");
        return hv.call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isEmpty() || s.get().state() == SystemState.STOPPED) {
                return s;
            }
            b.destroy(id);
            return b.status(id);
        }).map(s -> reportOf(id, s));
    }

    public Uni<ObjectNode> pause(String id) {
        requireHere(specOf(id), "pause");
        return hv.call(b -> {
            SystemState state = requireActive(id, b.status(id), "pause");
            if (state == SystemState.RUNNING) {
                b.pause(id);
            }
            return null;
        }).chain(() -> report(id));
    }

    public Uni<ObjectNode> resume(String id) {
        requireHere(specOf(id), "resume");
        return hv.call(b -> {
            SystemState state = requireActive(id, b.status(id), "resume");
            if (state == SystemState.PAUSED) {
                b.resume(id);
            }
            return null;
        }).chain(() -> report(id));
    }

    /** A graceful shutdown (forced after the timeout), then a start. */
    public Uni<ObjectNode> restart(String id) {
        return shutdown(id).chain(() -> start(id));
    }

    /** Stops and undefines the domain, then deletes the object (its meta goes with it). */
    public Uni<ObjectNode> delete(String id) {
        requireHere(specOf(id), "delete");
        reports.retire(id);
        return hv.call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isPresent()) {
                if (s.get().state() != SystemState.STOPPED) {
                    b.destroy(id);
                }
                b.undefine(id);
            }
            return null;
        }).chain(() -> cdb.deleteObject(SystemReports.key(id)))
                .onFailure().invoke(f -> reports.reinstate(id))
                .map(tombstone -> {
            ObjectNode o = Json.object();
            o.put("id", id);
            o.put("deleted", true);
            o.put("node", nodeId);
            return o;
        });
    }

    /** Every system object with this node's report on it. */
    public Uni<ArrayNode> list() {
        return hv.call(HypervisorBackend::list).map(domains -> {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
                Optional<DomainStatus> d = domains.stream().filter(s -> s.name().equals(e.id())).findFirst();
                ObjectNode o = out.addObject();
                o.setAll(d.isEmpty() ? ownerReport(e).orElseGet(() -> reportOf(e.id(), d)) : reportOf(e.id(), d));
                o.put("vcpus", e.spec().path("vcpus").asInt());
                o.put("memory", e.spec().path("memory").asInt());
            }
            return out;
        });
    }

    /** One system: its object entry and its report (from the node it is assigned to, when that is another). */
    public Uni<ObjectNode> show(String id) {
        ObjectEntry entry = object(id);
        Optional<ObjectNode> owner = ownerReport(entry);
        return (owner.isPresent() ? Uni.createFrom().item(owner.get()) : report(id)).map(meta -> {
            ObjectNode o = Json.object();
            o.put("id", id);
            o.set("object", EntryJson.toJson(entry));
            o.set("meta", meta);
            return o;
        });
    }

    /**
     * The report of a system assigned to another node, as that node published it in the CDB (this
     * node holds no domain of it): what list and show answer instead of "not loaded here".
     */
    private Optional<ObjectNode> ownerReport(ObjectEntry e) {
        String owner = e.spec().path("node").asText(null);
        if (owner == null || owner.equals(nodeId)) {
            return Optional.empty();
        }
        List<MetaEntry> meta = cdb.meta(e.key(), owner);
        ObjectNode o = Json.object().put("id", e.id());
        if (meta.isEmpty()) {
            o.put("state", "unknown").put("loaded", false).put("node", owner).putNull("since");
        } else {
            o.setAll(meta.get(0).values());
        }
        return Optional.of(o);
    }

    /** Where to reach the running system's consoles: graphics (type, host, port) and serial ones (pty path). */
    public Uni<ObjectNode> consoleInfo(String id) {
        requireHere(specOf(id), "show the console of");
        return ConsoleXml.info(hv, nodeId, id);
    }

    /**
     * Moves a system to node {@code target} through {@code calls} (see {@link Migrations}); if
     * anything fails it stays here, running if it ran.
     */
    public Uni<ObjectNode> migrate(String id, String target, boolean live, NodeCalls calls) {
        return migrations.migrate(id, target, live, calls);
    }

    /** The target's side of a migration: defines the incoming system's domain (not for live ones). */
    public Uni<ObjectNode> acceptMigration(String id, JsonNode spec, String from, boolean live) {
        return migrations.prepare(id, spec, from, live);
    }

    /** The target's side once the source handed the system over: starts it here if it ran there. */
    public Uni<ObjectNode> confirmMigration(String id, boolean start) {
        return migrations.confirm(id, start);
    }

    /** The target's side when the source gives up: removes the copy this node defined. */
    public Uni<ObjectNode> abortMigration(String id) {
        return migrations.abort(id);
    }

    // ---- steps ---------------------------------------------------------------------------------

    /** One trip to the hypervisor thread: define if absent, start (or resume), read the result. */
    Uni<ObjectNode> defineAndStart(SystemSpec spec) {
        String id = spec.id();
        return hv.call(b -> {
            Optional<DomainStatus> s = b.status(id);
            boolean definedNow = s.isEmpty() && define(b, spec);
            if (s.isPresent() && s.get().state() == SystemState.STOPPED) {
                // Devices on pools and networks are resolved again at every start: a network down now refuses the start.
                // Redefined under its own uuid (libvirt refuses a new one for an existing name).
                String uuid = b.xml(id).map(DomainXml::uuid).orElse(null);
                b.define(DomainXml.withUuid(DomainXml.of(DeviceSources.resolve(cdb, nodeId, spec), domainType), uuid));
            }
            if (s.isPresent() && s.get().state() == SystemState.PAUSED) {
                b.resume(id);
            } else if (s.isEmpty() || s.get().state() != SystemState.RUNNING) {
                try {
                    b.start(id);
                } catch (RuntimeException e) {
                    if (definedNow) {
                        undefineQuietly(b, id);
                    }
                    throw e;
                }
            }
            return b.status(id);
        }).onFailure().call(f -> report(id).onFailure().recoverWithNull()).map(s -> reportOf(id, s));
    }

    /** Defines the domain if absent; true if this call defined it (so a failed later step undefines it). */
    private Uni<Boolean> ensureDefined(SystemSpec spec) {
        return hv.call(b -> b.status(spec.id()).isEmpty() && define(b, spec));
    }

    /** Defines the domain and sets its autostart, undoing the define if that fails; true. */
    boolean define(HypervisorBackend b, SystemSpec spec) {
        b.define(DomainXml.of(DeviceSources.resolve(cdb, nodeId, spec), domainType));
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

    void undefineQuietly(HypervisorBackend b, String id) {
        try {
            b.undefine(id);
        } catch (RuntimeException e) {
            LOG.errorf("system %s on node %s: could not undo its define: %s", id, nodeId, e.getMessage());
        }
    }

    private Uni<ObjectNode> awaitStopped(String id, long deadline) {
        return hv.call(b -> b.status(id)).chain(s -> {
            if (s.isEmpty() || s.get().state() == SystemState.STOPPED) {
                return report(id);
            }
            if (System.nanoTime() - deadline > 0) {
                LOG.warnf("system %s on node %s did not shut down within %s; destroying it", id, nodeId, shutdownTimeout);
                return hv.run(b -> b.destroy(id)).chain(() -> report(id));
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(SHUTDOWN_POLL).chain(() -> awaitStopped(id, deadline));
        });
    }

    /** Refuses to change a system assigned to another node, or one being migrated. */
    void requireHere(SystemSpec spec, String op) {
        assignment.requireHere(spec, op);
    }

    private SystemState requireActive(String id, Optional<DomainStatus> s, String op) {
        if (s.isEmpty() || s.get().state() == SystemState.STOPPED || s.get().state() == SystemState.FAILED) {
            throw new AcpException(ErrorCode.CONFLICT, "cannot " + op + " system " + id + ": it is not running on node " + nodeId
                    + " (start it first)");
        }
        return s.get().state();
    }

    /** Reads the domain and reports it; answers the report with the system's id. */
    Uni<ObjectNode> report(String id) {
        return hv.call(b -> b.status(id)).map(s -> reportOf(id, s));
    }

    /**
     * The report of a system, written as meta when it changed. A system this node has never held
     * is answered "stopped, not loaded" without writing meta: in a cluster only the nodes that
     * hold a system should report on it.
     */
    ObjectNode reportOf(String id, Optional<DomainStatus> s) {
        ObjectNode o = Json.object();
        o.put("id", id);
        if (s.isEmpty() && reports.last(id).isEmpty()) {
            o.put("state", SystemState.STOPPED.wireName());
            o.put("loaded", false);
            o.put("node", nodeId);
            o.putNull("since");
        } else {
            o.setAll(reports.observed(id, s).toJson());
        }
        return o;
    }

    SystemSpec specOf(String id) {
        return SystemSpec.parse(id, object(id).spec());
    }

    private ObjectEntry object(String id) {
        return cdb.object(SystemReports.key(checkedId(id))).orElseThrow(() -> AcpException.notFound("system " + id));
    }

    private static String checkedId(String id) {
        try {
            SystemReports.key(id);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("system id: " + e.getMessage());
        }
        return id;
    }
}
