package io.acp.cluster;

import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;

/**
 * A typed query over objects. Null fields match anything; tombstones are left out unless asked for.
 *
 * @param node objects last written by this node, or null
 */
public record ObjectQuery(ObjectType type, String subtype, String id, String node, boolean includeDeleted) {

    public static ObjectQuery all() {
        return new ObjectQuery(null, null, null, null, false);
    }

    public static ObjectQuery ofType(ObjectType type) {
        return new ObjectQuery(type, null, null, null, false);
    }

    public boolean matches(ObjectEntry e) {
        return (includeDeleted || !e.deleted())
                && (type == null || type == e.type())
                && (subtype == null || subtype.equals(e.subtype()))
                && (id == null || id.equals(e.id()))
                && (node == null || node.equals(e.node()));
    }
}
