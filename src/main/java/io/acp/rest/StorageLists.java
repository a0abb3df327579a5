package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.smallrye.mutiny.Uni;

/** Picks pools or shares out of storage.list, and one volume out of a pool's volumes: views, not operations. */
final class StorageLists {

    private StorageLists() {
    }

    static Uni<JsonNode> ofSubtype(Uni<JsonNode> list, String subtype) {
        return list.map(all -> {
            ArrayNode out = Json.MAPPER.createArrayNode();
            all.forEach(o -> {
                if (subtype.equals(o.path("subtype").asText())) {
                    out.add(o);
                }
            });
            return out;
        });
    }

    static Uni<JsonNode> volume(Uni<JsonNode> volumes, String pool, String name) {
        return volumes.map(vs -> {
            for (JsonNode v : vs) {
                if (name.equals(v.path("name").asText())) {
                    return v;
                }
            }
            throw AcpException.notFound("volume " + name + " in pool " + pool + (vs.isNull() ? " (the pool is not realised on this node)" : ""));
        });
    }
}
