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
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Templates systems are made from: service {@code hypervisor}. A template is made on the node of
 * the system it copies and deleted on the node that made it (which reaches its pool), unless
 * {@code ?node=} says otherwise; any node lists and shows them (they are CDB objects).
 */
@Path(RestPaths.ROOT + "/templates")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "templates", description = "System templates (service hypervisor)")
public class TemplatesResource {

    @Inject
    RestGateway gateway;

    @GET
    @Operation(operationId = "listTemplates", summary = "Every template, with the systems made from it (hypervisor.template-list).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return gateway.call(c.authorization, c.node, "hypervisor", "template-list", Call.args());
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getTemplate", summary = "One template: its volumes with their SHA-256, its spec, the systems made from it (hypervisor.template-show).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "hypervisor", "template-show", Call.id(id));
    }

    @POST
    @Operation(operationId = "createTemplate", summary = "Makes a template of a stopped system on the system's node (hypervisor.template-create); "
            + "answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task that copies the disks; poll its Location.")
    public Uni<Response> create(@BeanParam Caller c, Bodies.TemplateCreate body) {
        Bodies.TemplateCreate t = Call.body(body, "create template");
        if (t.id() == null || t.from() == null) {
            throw io.acp.protocol.AcpException.badRequest("create template needs \"id\" (the template's name) and \"from\" (the stopped system it copies)");
        }
        ObjectNode args = Call.id(t.id()).put("from", t.from());
        if (t.pool() != null) {
            args.put("pool", t.pool());
        }
        return gateway.start(c.authorization, gateway.owner(c.node, ObjectType.SYSTEM, t.from()), "hypervisor", "template-create", args);
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteTemplate", summary = "Deletes a template no system is made from, with its volumes, on the node that made it "
            + "(hypervisor.template-delete).")
    public Uni<JsonNode> delete(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, gateway.owner(c.node, ObjectType.TEMPLATE, id), "hypervisor", "template-delete", Call.id(id));
    }
}
