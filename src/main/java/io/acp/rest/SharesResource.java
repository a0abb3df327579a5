package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** Shares (NFS, CIFS... mounted on their nodes): service {@code storage}. */
@Path(RestPaths.ROOT + "/shares")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "shares", description = "Network shares (service storage)")
public class SharesResource {

    @Inject
    RestGateway gateway;

    private StorageObjects shares;

    @jakarta.annotation.PostConstruct
    void objects() {
        shares = new StorageObjects(gateway, "share", "share.add", "share.remove");
    }

    @GET
    @Operation(operationId = "listShares", summary = "Every share, with the answering node's view of it (storage.list, shares only).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return shares.list(c);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getShare", summary = "One share (storage.show).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return shares.show(c, id);
    }

    @POST
    @Operation(operationId = "createShare", summary = "Adds a share and mounts it on its nodes (storage.share.add).")
    public Uni<JsonNode> create(@BeanParam Caller c, Bodies.ShareCreate body) {
        Bodies.ShareCreate b = Call.body(body, "create share");
        return shares.create(c, b.id(), b.spec());
    }

    @PUT
    @Path("/{id}")
    @Operation(operationId = "updateShare", summary = "Replaces a share's spec (cluster.put).")
    public Uni<JsonNode> update(@BeanParam Caller c, @PathParam("id") String id, Bodies.ObjectUpdate body) {
        return shares.update(c, id, body);
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteShare", summary = "Unmounts and removes a share (storage.share.remove).")
    public Uni<JsonNode> delete(@BeanParam Caller c, @PathParam("id") String id) {
        return shares.delete(c, id);
    }
}
