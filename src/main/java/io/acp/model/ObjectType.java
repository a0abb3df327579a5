package io.acp.model;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The closed set of cluster object types and the subtypes each one allows. */
public enum ObjectType {
    NODE(Set.of()),
    SYSTEM(Set.of()),
    STORAGE(Set.of("device", "pool", "share")),
    NETWORK(Set.of("vlan", "trunk", "vpp-vlan", "vxlan")),
    SERVICE(Set.of("framework", "cluster", "agent", "api", "webapi", "hypervisor", "network", "storage", "monitor", "ha")),
    ALARM(Set.of()),
    /** Written by the CA node: who was admitted to the cluster, and CA-signed revocations. */
    SECURITY(Set.of("admission", "revocation")),
    /** Written by the node that ran it: one mutating operation, who asked, how it ended, what it changed. */
    TASK(Set.of()),
    /** A system template: read-only volumes made from a stopped system's disks, and its spec (io.acp.hypervisor.Templates). */
    TEMPLATE(Set.of());

    /** Wire name to type; computed once (this lookup runs for every entry decoded or reloaded). */
    private static final Map<String, ObjectType> BY_WIRE_NAME = new HashMap<>();

    static {
        for (ObjectType t : values()) {
            BY_WIRE_NAME.put(t.wireName, t);
        }
    }

    private final Set<String> subtypes;
    private final String wireName;

    ObjectType(Set<String> subtypes) {
        this.subtypes = subtypes;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    /** The name used on the wire and in the CLI: lower case. */
    public String wireName() {
        return wireName;
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
            ObjectType t = BY_WIRE_NAME.get(name);
            if (t == null) {
                t = BY_WIRE_NAME.get(name.toLowerCase(Locale.ROOT)); // the CLI accepts any case
            }
            if (t != null) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown object type '" + name + "'; expected one of node, system, storage, network, service, alarm, security, task, template");
    }
}
