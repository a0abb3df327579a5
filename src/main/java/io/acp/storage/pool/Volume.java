package io.acp.storage.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.nio.file.Path;

/** A volume in a pool: what a system's disk points at ({@code path}), its format and size in bytes. */
public record Volume(String pool, String name, Path path, String format, long capacity) {

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("pool", pool);
        o.put("name", name);
        o.put("path", path.toString());
        o.put("format", format);
        o.put("capacity", capacity);
        return o;
    }
}
