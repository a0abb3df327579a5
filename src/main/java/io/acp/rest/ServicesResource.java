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

/** A node's services and their state (service {@code framework}, run on {@code ?node=} or the node that received the request). */
@Path(RestPaths.ROOT + "/services")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "services", description = "A node's services (service framework)")
public class ServicesResource {

    @Inject
    RestGateway gateway;

    @GET
    @Operation(operationId = "listServices", summary = "Every service of the node, its state, health and restarts (framework.services).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return gateway.call(c.authorization, c.node, "framework", "services", Call.args());
    }

    @GET
    @Path("/{name}")
    @Operation(operationId = "getService", summary = "One service of the node (framework.services, that entry).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("name") String name) {
        return gateway.call(c.authorization, c.node, "framework", "services", Call.args()).map(all -> {
            for (JsonNode s : all) {
                if (name.equals(s.path("name").asText())) {
                    return s;
                }
            }
            throw io.acp.protocol.AcpException.notFound("service " + name + " on node " + (c.node == null ? "(this node)" : c.node));
        });
    }
}
