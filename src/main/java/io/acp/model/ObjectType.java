package io.acp.model;

import java.util.Locale;
import java.util.Set;

/** The closed set of cluster object types and the subtypes each one allows. */
public enum ObjectType {
    NODE(Set.of()),
    SYSTEM(Set.of()),
    STORAGE(Set.of("device", "pool", "share")),
    NETWORK(Set.of("vlan", "trunk", "vpp-vlan")),
    SERVICE(Set.of("framework", "cluster", "agent", "api", "webapi", "hypervisor", "network", "storage", "monitor")),
    ALARM(Set.of()),
    /** Written by the CA node: who was admitted to the cluster, and CA-signed revocations. */
    SECURITY(Set.of("admission", "revocation")),
    /** Written by the node that ran it: one mutating operation, who asked, how it ended, what it changed. */
    TASK(Set.of());

    private final Set<String> subtypes;

    ObjectType(Set<String> subtypes) {
        this.subtypes = subtypes;
    }

    /** The name used on the wire and in the CLI: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Set<String> subtypes() {
        return subtypes;
    }

    /**
     * True when {@code subtype} fits this type: types with subtypes require one of theirs,
     * types without subtypes require none.
     */
    public boolean allowsSubtype(String subtype) {
        return subtype == null ? subtypes.isEmpty() : subtypes.contains(subtype);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the valid types. */
    public static ObjectType parse(String name) {
        if (name != null) {
            for (ObjectType t : values()) {
                if (t.wireName().equals(name.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown object type '" + name + "'; expected one of node, system, storage, network, service, alarm, security, task");
    }
}
