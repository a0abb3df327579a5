package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;

/**
 * What pools and shares have in common over REST: storage objects of one subtype, listed (out of
 * storage.list), shown, created and removed by their own storage operations, and updated by
 * cluster.put keeping the subtype. The resources keep only their routes and documentation.
 */
final class StorageObjects {

    private final RestGateway gateway;
    private final String subtype;
    private final String createOp;
    private final String deleteOp;

    /** @param createOp the storage operation that creates one ({@code pool.create}); {@code deleteOp} the one that removes it */
    StorageObjects(RestGateway gateway, String subtype, String createOp, String deleteOp) {
        this.gateway = gateway;
        this.subtype = subtype;
        this.createOp = createOp;
        this.deleteOp = deleteOp;
    }

    Uni<JsonNode> list(Caller c) {
        return StorageLists.ofSubtype(gateway.call(c.authorization, c.node, "storage", "list", Call.args()), subtype);
    }

    Uni<JsonNode> show(Caller c, String id) {
        return gateway.call(c.authorization, c.node, "storage", "show", Call.id(id));
    }

    Uni<JsonNode> create(Caller c, String id, ObjectNode spec) {
        ObjectNode args = Call.id(id);
        args.set("spec", spec);
        return gateway.call(c.authorization, c.node, "storage", createOp, args);
    }

    Uni<JsonNode> update(Caller c, String id, Bodies.ObjectUpdate body) {
        return gateway.call(c.authorization, c.node, "cluster", "put", Call.put("storage", id, Call.body(body, "update " + subtype), subtype));
    }

    Uni<JsonNode> delete(Caller c, String id) {
        return gateway.call(c.authorization, c.node, "storage", deleteOp, Call.id(id));
    }
}
