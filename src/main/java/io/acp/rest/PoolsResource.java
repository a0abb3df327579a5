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

/**
 * Storage pools and their volumes: service {@code storage}. Volumes live on a node's realisation of
 * the pool, so volume requests run on {@code ?node=} (or the node that received them).
 */
@Path(RestPaths.ROOT + "/pools")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "pools", description = "Storage pools and volumes (service storage)")
public class PoolsResource {

    @Inject
    RestGateway gateway;

    private StorageObjects pools;

    @jakarta.annotation.PostConstruct
    void objects() {
        pools = new StorageObjects(gateway, "pool", "pool.create", "pool.delete");
    }

    @GET
    @Operation(operationId = "listPools", summary = "Every pool, with the answering node's view of it (storage.list, pools only).")
    public Uni<JsonNode> list(@BeanParam Caller c) {
        return pools.list(c);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getPool", summary = "One pool, with its volumes on the answering node (storage.show).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return pools.show(c, id);
    }

    @POST
    @Operation(operationId = "createPool", summary = "Creates a pool and realises it on its nodes (storage.pool.create).")
    public Uni<JsonNode> create(@BeanParam Caller c, Bodies.PoolCreate body) {
        Bodies.PoolCreate b = Call.body(body, "create pool");
        return pools.create(c, b.id(), b.spec());
    }

    @PUT
    @Path("/{id}")
    @Operation(operationId = "updatePool", summary = "Replaces a pool's spec (cluster.put).")
    public Uni<JsonNode> update(@BeanParam Caller c, @PathParam("id") String id, Bodies.ObjectUpdate body) {
        return pools.update(c, id, body);
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deletePool", summary = "Deletes a pool (storage.pool.delete).")
    public Uni<JsonNode> delete(@BeanParam Caller c, @PathParam("id") String id) {
        return pools.delete(c, id);
    }

    @GET
    @Path("/{pool}/volumes")
    @Operation(operationId = "listVolumes", summary = "The pool's volumes on the node (storage.show, its volumes).")
    public Uni<JsonNode> volumes(@BeanParam Caller c, @PathParam("pool") String pool) {
        return pools.show(c, pool)
                .map(shown -> shown.path("volumes"));
    }

    @GET
    @Path("/{pool}/volumes/{name}")
    @Operation(operationId = "getVolume", summary = "One volume of the pool on the node.")
    public Uni<JsonNode> volume(@BeanParam Caller c, @PathParam("pool") String pool, @PathParam("name") String name) {
        return StorageLists.volume(volumes(c, pool), pool, name);
    }

    @POST
    @Path("/{pool}/volumes")
    @Operation(operationId = "createVolume", summary = "Creates a volume in the pool on the node (storage.volume.create).")
    public Uni<JsonNode> createVolume(@BeanParam Caller c, @PathParam("pool") String pool, Bodies.VolumeCreate body) {
        Bodies.VolumeCreate b = Call.body(body, "create volume");
        ObjectNode args = Call.args().put("pool", pool).put("name", b.name()).put("size", b.size());
        if (b.format() != null) {
            args.put("format", b.format());
        }
        return gateway.call(c.authorization, c.node, "storage", "volume.create", args);
    }

    @PUT
    @Path("/{pool}/volumes/{name}")
    @Operation(operationId = "resizeVolume", summary = "Resizes a volume (storage.volume.resize).")
    public Uni<JsonNode> resizeVolume(@BeanParam Caller c, @PathParam("pool") String pool, @PathParam("name") String name,
            Bodies.VolumeResize body) {
        Bodies.VolumeResize b = Call.body(body, "resize volume");
        return gateway.call(c.authorization, c.node, "storage", "volume.resize", Call.args().put("pool", pool).put("name", name).put("size", b.size()));
    }

    @DELETE
    @Path("/{pool}/volumes/{name}")
    @Operation(operationId = "deleteVolume", summary = "Deletes a volume (storage.volume.delete).")
    public Uni<JsonNode> deleteVolume(@BeanParam Caller c, @PathParam("pool") String pool, @PathParam("name") String name) {
        return gateway.call(c.authorization, c.node, "storage", "volume.delete", Call.args().put("pool", pool).put("name", name));
    }
}
