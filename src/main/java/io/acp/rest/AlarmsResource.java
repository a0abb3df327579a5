package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Alarms and the cluster's health: service {@code monitor}, answered by any node from its CDB. */
@Path(RestPaths.ROOT)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "alarms", description = "Alarms and cluster health (service monitor)")
public class AlarmsResource {

    @Inject
    RestGateway gateway;

    @GET
    @Path("/alarms")
    @Operation(operationId = "listAlarms", summary = "Open alarms; with all=true also cleared and acknowledged ones (monitor.alarms).")
    public Uni<JsonNode> list(@BeanParam Caller c, @QueryParam("all") boolean all) {
        return gateway.call(c.authorization, c.node, "monitor", "alarms", Call.args().put("all", all));
    }

    @GET
    @Path("/alarms/{id}")
    @Operation(operationId = "getAlarm", summary = "One alarm object (cluster.get of type alarm).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "cluster", "get", Call.id(id).put("type", "alarm"));
    }

    @POST
    @Path("/alarms/{id}/ack")
    @Operation(operationId = "ackAlarm", summary = "Acknowledges an alarm in the key's name (monitor.ack).")
    public Uni<JsonNode> ack(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "monitor", "ack", Call.id(id));
    }

    @GET
    @Path("/health")
    @Operation(operationId = "clusterHealth", summary = "The health score the primary monitor published, per node (monitor.health).")
    public Uni<JsonNode> health(@BeanParam Caller c) {
        return gateway.call(c.authorization, c.node, "monitor", "health", Call.args());
    }
}
