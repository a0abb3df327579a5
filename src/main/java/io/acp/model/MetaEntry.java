package io.acp.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** Non-persistent state of an object as seen by one node (state, updated-by, loaded...). */
public record MetaEntry(ObjectKey key, String node, ObjectNode values, Version version) implements Entry {

    public MetaEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(version, "version");
    }

    @Override
    public Kind kind() {
        return Kind.META;
    }
}
