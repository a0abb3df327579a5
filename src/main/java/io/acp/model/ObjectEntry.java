package io.acp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A persistent cluster object. A delete is a tombstone ({@code deleted} true, spec empty) so that
 * the delete wins over older writes on every node until it is collected.
 */
public record ObjectEntry(ObjectKey key, String subtype, JsonNode spec, Version version, boolean deleted) implements Entry {

    public ObjectEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(version, "version");
        if (!key.type().allowsSubtype(subtype)) {
            throw new IllegalArgumentException(key.type().subtypes().isEmpty()
                    ? "type " + key.type().wireName() + " has no subtypes, got '" + subtype + "'"
                    : "type " + key.type().wireName() + " needs a subtype out of " + key.type().subtypes() + ", got '" + subtype + "'");
        }
    }

    @Override
    public Kind kind() {
        return Kind.OBJECT;
    }

    @Override
    public String node() {
        return version.node();
    }

    public ObjectType type() {
        return key.type();
    }

    public String id() {
        return key.id();
    }
}
