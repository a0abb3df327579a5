package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Nodes: their objects (admitted with {@code acp cluster add-node}), their status (service
 * {@code framework}, run on the node itself) and their reports. Nodes join with a join token, not
 * through REST, so there is no create or delete here.
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
}
