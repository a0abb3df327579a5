package io.acp.cluster;

import io.acp.model.Entry;
import io.acp.model.ObjectType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Selects the changes a subscriber wants. A null field matches anything.
 *
 * @param kinds which entry kinds (objects, meta, stats); null for all
 * @param type  object type, or null
 * @param id    object id, or null
 * @param node  reporting node (meta/stats) or writer (objects), or null
 */
public record ChangeFilter(Set<Entry.Kind> kinds, ObjectType type, String id, String node) {

    public static final ChangeFilter ALL = new ChangeFilter(null, null, null, null);

    public ChangeFilter {
        kinds = kinds == null || kinds.isEmpty() ? null : Set.copyOf(EnumSet.copyOf(kinds));
    }

    public static ChangeFilter ofType(ObjectType type) {
        return new ChangeFilter(null, type, null, null);
    }

    public boolean matches(Entry e) {
        return (kinds == null || kinds.contains(e.kind()))
                && (type == null || type == e.key().type())
                && (id == null || id.equals(e.key().id()))
                && (node == null || node.equals(e.node()));
    }
}
