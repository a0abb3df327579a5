package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Nodes: their objects (admitted with {@code acp cluster add-node}), their status (service
 * {@code framework}, run on the node itself) and their reports. Nodes join with a join token, not
 * through REST, so there is no create or delete here. Evacuate and resume take a node out of and back
 * into scheduling (docs/operations.md, "Maintenance: evacuate and resume").
 */
@Path(RestPaths.ROOT + "/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "nodes", description = "The cluster's nodes")
public class NodesResource {

    @Inject
    RestGateway gateway;

    @GET
    @Operation(operationId = "listNodes", summary = "The node objects of the cluster (cluster.list of type node).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return gateway.call(c.authorization, c.node, "cluster", "list", Call.args().put("type", "node"));
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getNode", summary = "A node's status, answered by that node (framework.status, routed to the node).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, id, "framework", "status", Call.args());
    }

    @GET
    @Path("/{id}/meta")
    @Operation(operationId = "getNodeMeta", summary = "What every node reports about the node (cluster.meta of type node).")
    public Uni<JsonNode> meta(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "cluster", "meta", Call.id(id).put("type", "node"));
    }

    @GET
    @Path("/{id}/stats")
    @Operation(operationId = "getNodeStats", summary = "The node's latest stats (cluster.stats of type node).")
    public Uni<JsonNode> stats(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "cluster", "stats", Call.id(id).put("type", "node"));
    }

    @POST
    @Path("/{id}/evacuate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "evacuateNode", summary = "Marks the node unschedulable and moves every system off it, running ones live "
            + "(hypervisor.node-evacuate, run by that node); answers 202 with the task (Location), which ends when every system has moved "
            + "and fails naming each one left with its rule. The per-system progress is field evacuation of the node's object (GET /nodes).")
    @APIResponse(responseCode = "202", description = "The evacuation's task; poll its Location.")
    public Uni<Response> evacuate(@BeanParam Caller c, @PathParam("id") String id, Bodies.Evacuation body) {
        ObjectNode args = Call.id(id).put("wait", true);
        if (body != null && body.to() != null) {
            args.put("to", body.to());
        }
        return gateway.start(c.authorization, c.node == null || c.node.isBlank() ? id : c.node, "hypervisor", "node-evacuate", args);
    }

    @POST
    @Path("/{id}/resume")
    @Operation(operationId = "resumeNode", summary = "Makes the node schedulable again and forgets its evacuation (hypervisor.node-resume, "
            + "on the answering node: the node itself may be down); answers 202 with the task (Location).")
    @APIResponse(responseCode = "202", description = "The task; poll its Location.")
    public Uni<Response> resume(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.start(c.authorization, c.node, "hypervisor", "node-resume", Call.id(id));
    }
}
