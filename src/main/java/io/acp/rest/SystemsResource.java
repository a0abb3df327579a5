package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Systems (virtual machines): service {@code hypervisor}. Requests about one system go to the node
 * its spec names unless {@code ?node=} says otherwise; the hypervisor there answers.
 */
@Path(RestPaths.ROOT + "/systems")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "systems", description = "Virtual machines (service hypervisor)")
public class SystemsResource {

    @Inject
    RestGateway gateway;

    @GET
    @Operation(operationId = "listSystems", summary = "Every system, with its state as the answering node sees it (hypervisor.list).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return gateway.call(c.authorization, c.node, "hypervisor", "list", Call.args());
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getSystem", summary = "One system: its spec and its state on its node (hypervisor.show).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return on(c, id, "show", Call.id(id));
    }

    @POST
    @Operation(operationId = "createSystem", summary = "Creates a system (started only with start: true), placed on spec.node or the node with the most free capacity (hypervisor.create); "
            + "answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task that creates it; poll its Location.")
    public Uni<Response> create(@BeanParam Caller c, Bodies.SystemCreate body) {
        return gateway.start(c.authorization, c.node, "hypervisor", "create", Call.body(body, "create system").args());
    }

    @PUT
    @Path("/{id}")
    @Operation(operationId = "updateSystem", summary = "Replaces a system's spec (cluster.put); its hypervisor applies it.")
    public Uni<JsonNode> update(@BeanParam Caller c, @PathParam("id") String id, Bodies.ObjectUpdate body) {
        return gateway.call(c.authorization, c.node, "cluster", "put", Call.put("system", id, Call.body(body, "update system"), null));
    }

    @PATCH
    @Path("/{id}")
    @Operation(operationId = "changeSystem", summary = "Changes fields of a system's spec (hypervisor.set); a running system gets them at its next start, "
            + "and the answer says which are pending.")
    public Uni<JsonNode> change(@BeanParam Caller c, @PathParam("id") String id, Bodies.SystemChange body) {
        ObjectNode args = Call.id(id);
        args.set("spec", Call.body(body, "change system").spec());
        return on(c, id, "set", args);
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteSystem", summary = "Undefines a stopped system, then deletes it (hypervisor.delete); answers 202 with the task "
            + "(Location). A running or paused system's task fails with conflict (rule running-delete) unless force=true, which stops it at once first.")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> delete(@BeanParam Caller c, @PathParam("id") String id,
            @Parameter(description = "Delete a running or paused system too, stopping it at once first") @QueryParam("force") boolean force) {
        ObjectNode args = Call.id(id);
        if (force) {
            args.put("force", true);
        }
        return task(c, id, "delete", args);
    }

    @POST
    @Path("/{id}/start")
    @Operation(operationId = "startSystem", summary = "Starts a system (hypervisor.start); answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> start(@BeanParam Caller c, @PathParam("id") String id) {
        return task(c, id, "start", Call.id(id));
    }

    @POST
    @Path("/{id}/stop")
    @Operation(operationId = "stopSystem", summary = "Stops a system at once, as a pulled plug would (hypervisor.stop); answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> stop(@BeanParam Caller c, @PathParam("id") String id) {
        return task(c, id, "stop", Call.id(id));
    }

    @POST
    @Path("/{id}/shutdown")
    @Operation(operationId = "shutdownSystem", summary = "Asks the guest to shut down, forced after the timeout (hypervisor.shutdown); answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> shutdown(@BeanParam Caller c, @PathParam("id") String id) {
        return task(c, id, "shutdown", Call.id(id));
    }

    @POST
    @Path("/{id}/restart")
    @Operation(operationId = "restartSystem", summary = "Shuts a system down and starts it again (hypervisor.restart); answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> restart(@BeanParam Caller c, @PathParam("id") String id) {
        return task(c, id, "restart", Call.id(id));
    }

    @POST
    @Path("/{id}/pause")
    @Operation(operationId = "pauseSystem", summary = "Pauses a running system (hypervisor.pause).")
    public Uni<JsonNode> pause(@BeanParam Caller c, @PathParam("id") String id) {
        return on(c, id, "pause", Call.id(id));
    }

    @POST
    @Path("/{id}/resume")
    @Operation(operationId = "resumeSystem", summary = "Resumes a paused system (hypervisor.resume).")
    public Uni<JsonNode> resume(@BeanParam Caller c, @PathParam("id") String id) {
        return on(c, id, "resume", Call.id(id));
    }

    @POST
    @Path("/{id}/migrate")
    @Operation(operationId = "migrateSystem", summary = "Moves a system to another node, live or cold (hypervisor.migrate); answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> migrate(@BeanParam Caller c, @PathParam("id") String id, Bodies.Migration body) {
        Bodies.Migration m = Call.body(body, "migrate system");
        ObjectNode args = Call.id(id).put("to", m.to());
        if (m.live() != null) {
            args.put("live", m.live());
        }
        return task(c, id, "migrate", args);
    }

    @GET
    @Path("/{id}/backups")
    @Operation(operationId = "listBackups", summary = "The system's backups in pool ?pool=, or in every pool the answering node reaches, oldest first "
            + "(hypervisor.backup-list): backup, pool, createdAt, complete, and for a complete one kind, parent, node, disks and bytes; "
            + "on ?node= when given, else the system's node (or the answering node if the system is gone).")
    public Uni<JsonNode> backups(@BeanParam Caller c, @PathParam("id") String id, @QueryParam("pool") String pool) {
        ObjectNode args = Call.id(id);
        if (pool != null && !pool.isBlank()) {
            args.put("pool", pool);
        }
        return on(c, id, "backup-list", args);
    }

    @POST
    @Path("/{id}/backups")
    @Operation(operationId = "backupSystem", summary = "Backs a system up into a pool of its node (hypervisor.backup): a plain copy if it is stopped, "
            + "else through libvirt's backup API, in full the first time and incrementally after; answers 202 with the task (Location), "
            + "whose result is the backup's manifest.")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> backup(@BeanParam Caller c, @PathParam("id") String id, Bodies.Backup body) {
        return task(c, id, "backup", Call.id(id).put("to", Call.body(body, "back up system").to()));
    }

    @POST
    @Path("/{id}/restore")
    @Operation(operationId = "restoreSystem", summary = "Verifies a backup's checksums (and those of the backups it is incremental on), writes its disks "
            + "back and starts the system, or a copy of it with as (hypervisor.restore); on ?node= when given, else on the system's node; "
            + "answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> restore(@BeanParam Caller c, @PathParam("id") String id, Bodies.Restore body) {
        Bodies.Restore r = Call.body(body, "restore system");
        ObjectNode args = Call.id(id).put("from", r.from()).put("backup", r.backup());
        if (r.as() != null) {
            args.put("as", r.as());
        }
        return task(c, id, "restore", args);
    }

    /** A long hypervisor operation on one system, on its owner unless the caller named a node: 202 and its task. */
    private Uni<Response> task(Caller c, String id, String op, ObjectNode args) {
        return gateway.start(c.authorization, gateway.owner(c.node, ObjectType.SYSTEM, id), "hypervisor", op, args);
    }

    /** A hypervisor operation on one system, on its owner unless the caller named a node. */
    private Uni<JsonNode> on(Caller c, String id, String op, ObjectNode args) {
        return gateway.call(c.authorization, gateway.owner(c.node, ObjectType.SYSTEM, id), "hypervisor", op, args);
    }
}
