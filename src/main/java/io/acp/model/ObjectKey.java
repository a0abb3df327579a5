package io.acp.model;

import java.util.Objects;

/** Identity of a cluster object: its type and an id unique within that type. */
public record ObjectKey(ObjectType type, String id) {

    /** Longest id accepted; ids travel in every datagram and journal record. */
    public static final int MAX_ID_LENGTH = 128;

    public ObjectKey {
        Objects.requireNonNull(type, "type");
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("object id must be 1.." + MAX_ID_LENGTH + " characters, got '" + id + "'");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                throw new IllegalArgumentException("object id '" + id + "' has character '" + c + "'; allowed: letters, digits, - _ . :");
            }
        }
    }

    public static ObjectKey of(ObjectType type, String id) {
        return new ObjectKey(type, id);
    }

    @Override
    public String toString() {
        return type.wireName() + "/" + id;
    }
}
