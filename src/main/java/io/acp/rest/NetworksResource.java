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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Networks: service {@code network}. Networks are cluster objects any node answers for; attach and detach run on the node named. */
@Path(RestPaths.ROOT + "/networks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "networks", description = "The cluster's networks (service network)")
public class NetworksResource {

    @Inject
    RestGateway gateway;

    @GET
    @Operation(operationId = "listNetworks", summary = "Every network (network.list).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return gateway.call(c.authorization, c.node, "network", "list", Call.args());
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getNetwork", summary = "One network (network.show).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "network", "show", Call.id(id));
    }

    @POST
    @Operation(operationId = "createNetwork", summary = "Creates a network (network.create).")
    public Uni<JsonNode> create(@BeanParam Caller c, Bodies.NetworkCreate body) {
        Bodies.NetworkCreate b = Call.body(body, "create network");
        ObjectNode args = Call.id(b.id()).put("subtype", b.subtype());
        args.set("spec", b.spec());
        return gateway.call(c.authorization, c.node, "network", "create", args);
    }

    @PUT
    @Path("/{id}")
    @Operation(operationId = "updateNetwork", summary = "Replaces a network's spec (cluster.put); every node's network service applies it.")
    public Uni<JsonNode> update(@BeanParam Caller c, @PathParam("id") String id, Bodies.ObjectUpdate body) {
        return gateway.call(c.authorization, c.node, "cluster", "put",
                Call.put("network", id, Call.body(body, "update network"), gateway.subtypeOf(ObjectType.NETWORK, id)));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteNetwork", summary = "Deletes a network (network.delete).")
    public Uni<JsonNode> delete(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "network", "delete", Call.id(id));
    }

    @POST
    @Path("/{id}/attach")
    @Operation(operationId = "attachNetwork", summary = "Attaches a host interface of the node to the network (network.attach).")
    public Uni<JsonNode> attach(@BeanParam Caller c, @PathParam("id") String id, Bodies.PortAttachment body) {
        Bodies.PortAttachment b = Call.body(body, "attach");
        ObjectNode args = Call.id(id).put("interface", b.iface());
        if (b.vlan() != null) {
            args.put("vlan", b.vlan());
        }
        return gateway.call(c.authorization, c.node, "network", "attach", args);
    }

    @POST
    @Path("/{id}/detach")
    @Operation(operationId = "detachNetwork", summary = "Detaches a host interface of the node from the network (network.detach).")
    public Uni<JsonNode> detach(@BeanParam Caller c, @PathParam("id") String id, Bodies.PortAttachment body) {
        Bodies.PortAttachment b = Call.body(body, "detach");
        return gateway.call(c.authorization, c.node, "network", "detach", Call.id(id).put("interface", b.iface()));
    }
}
