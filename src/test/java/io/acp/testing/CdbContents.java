package io.acp.testing;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a CDB holds, read through its public queries (independent of the sync's own index): every
 * object and tombstone, and the meta and stats of the given keys, as sorted
 * {@code kind key node version} lines. Two CDBs with equal contents are converged.
 */
public final class CdbContents {

    private CdbContents() {
    }

    public static Set<String> of(Cdb cdb, Collection<ObjectKey> sideKeys) {
        Set<String> out = new TreeSet<>();
        Set<ObjectKey> keys = new LinkedHashSet<>(sideKeys);
        for (ObjectEntry o : cdb.objects(new ObjectQuery(null, null, null, null, true))) {
            out.add(line(o));
            keys.add(o.key());
        }
        for (ObjectKey k : keys) {
            cdb.meta(k, null).forEach(m -> out.add(line(m)));
            cdb.stats(k, null).forEach(s -> out.add(line(s)));
        }
        return out;
    }

    /** Per node, the lines it lacks or has beyond the first node's: what a failed comparison prints. */
    public static String differences(java.util.List<InProcessCluster.Node> nodes, Collection<ObjectKey> sideKeys) {
        Set<String> first = of(nodes.get(0).cdb(), sideKeys);
        StringBuilder out = new StringBuilder();
        for (InProcessCluster.Node n : nodes.subList(1, nodes.size())) {
            Set<String> mine = of(n.cdb(), sideKeys);
            Set<String> lacks = new TreeSet<>(first);
            lacks.removeAll(mine);
            Set<String> extra = new TreeSet<>(mine);
            extra.removeAll(first);
            out.append("\n").append(n.id).append(" vs ").append(nodes.get(0).id).append(": lacks ").append(lacks).append(", has beyond ").append(extra);
        }
        return out.toString();
    }

    private static String line(Entry e) {
        return e.kind().wireName() + " " + e.key() + " " + e.node() + " " + e.version();
    }

    /**
     * Objects, tombstones included, that are not tasks: what an operation changed, without the task
     * log the dispatcher keeps of every mutating request (also of refused ones that reached their service).
     */
    public static long objectsBesideTasks(Cdb cdb) {
        return cdb.objects(new io.acp.cluster.ObjectQuery(null, null, null, null, true)).stream()
                .filter(e -> e.type() != io.acp.model.ObjectType.TASK)
                .count();
    }
}
