package io.acp.framework;

import io.acp.node.ServiceStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Writes the node and its services into the CDB: objects {@code node/<node>} and
 * {@code service/<node>:<name>}, this node's meta of each, and the node's stats.
 *
 * <p>Writes happen only while a CDB is available (the cluster service runs). When a different CDB
 * instance appears (the cluster service (re)started) everything is published again. Objects are
 * written only if their spec differs from the stored one, so a reboot does not churn the journal;
 * meta is written when its values change.
 */
final class ClusterPublisher {

    private static final Logger LOG = Logger.getLogger(ClusterPublisher.class);

    /** What the publisher reads when it publishes: always the current state, never a snapshot. */
    interface Source {
        List<ServiceStatus> statuses();

        /** The node's meta values: state, startedAt, pid. */
        ObjectNode nodeMeta();
    }

    /** Fields of the node's object that others write (acp node evacuate) and a restart must not drop. */
    private static final List<String> KEPT_NODE_FIELDS = List.of("unschedulable", "evacuation");

    private final Supplier<Cdb> cdb;
    private final String nodeId;
    private final String hostname;
    private final String version;
    private final Source source;
    private final ObjectKey nodeKey;

    // Guarded by this.
    private Cdb target;
    private final Map<ObjectKey, ObjectNode> publishedMeta = new HashMap<>();

    ClusterPublisher(Supplier<Cdb> cdb, String nodeId, String hostname, String version, Source source) {
        this.cdb = cdb;
        this.nodeId = nodeId;
        this.hostname = hostname;
        this.version = version;
        this.source = source;
        this.nodeKey = ObjectKey.of(ObjectType.NODE, nodeId);
    }

    static ObjectKey serviceKey(String nodeId, String service) {
        return ObjectKey.of(ObjectType.SERVICE, nodeId + ":" + service);
    }

    /** A service's state or health changed. */
    synchronized void serviceChanged(String name) {
        Cdb c = current();
        if (c == null) {
            return;
        }
        for (ServiceStatus s : source.statuses()) {
            if (s.name().equals(name)) {
                publishService(c, s);
            }
        }
    }

    /** The node's state changed. */
    synchronized void nodeChanged() {
        Cdb c = current();
        if (c != null) {
            putMetaIfChanged(c, nodeKey, source.nodeMeta());
        }
    }

    /** Records one stats sample of the node. */
    synchronized void stats(Map<String, Double> values) {
        Cdb c = current();
        if (c != null) {
            c.putStats(nodeKey, values);
        }
    }

    /** The CDB to write to, or null; a new CDB instance gets everything published first. */
    private Cdb current() {
        Cdb c = cdb.get();
        if (c != target) {
            target = c;
            publishedMeta.clear();
            if (c != null) {
                publishAll(c);
            }
        }
        return c;
    }

    private void publishAll(Cdb c) {
        List<ServiceStatus> statuses = source.statuses();
        ObjectNode spec = Json.object()
                .put("hostname", hostname)
                .put("version", version);
        ArrayNode names = spec.putArray("services");
        statuses.forEach(s -> names.add(s.name()));
        // An evacuation's mark and progress (io.acp.hypervisor.NodeSchedule) outlive this process: keep them.
        c.object(nodeKey).ifPresent(stored -> KEPT_NODE_FIELDS.forEach(f -> {
            if (stored.spec().has(f)) {
                spec.set(f, stored.spec().get(f));
            }
        }));
        putObjectIfChanged(c, nodeKey, null, spec);
        putMetaIfChanged(c, nodeKey, source.nodeMeta());
        statuses.forEach(s -> publishService(c, s));
    }

    private void publishService(Cdb c, ServiceStatus s) {
        ObjectKey key = serviceKey(nodeId, s.name());
        ObjectNode spec = Json.object()
                .put("node", nodeId)
                .put("name", s.name());
        ArrayNode deps = spec.putArray("dependencies");
        s.dependencies().forEach(deps::add);
        putObjectIfChanged(c, key, s.name(), spec);
        ObjectNode meta = Json.object()
                .put("state", s.state().wireName())
                .put("healthy", s.health().healthy())
                .put("detail", s.health().detail())
                .put("since", s.since().toString())
                .put("restarts", s.restarts())
                .put("lastError", s.lastError());
        // The service may add its own fields to this entry (the monitor's role): change only ours.
        if (!meta.equals(publishedMeta.get(key))) {
            c.updateMeta(key, values -> values.setAll(meta));
            publishedMeta.put(key, meta);
        }
    }

    private void putObjectIfChanged(Cdb c, ObjectKey key, String subtype, JsonNode spec) {
        Optional<ObjectEntry> stored = c.object(key);
        if (stored.isPresent() && stored.get().spec().equals(spec) && java.util.Objects.equals(stored.get().subtype(), subtype)) {
            return;
        }
        c.putObject(key, subtype, spec, null)
                .subscribe().with(ok -> { }, f -> LOG.warnf("could not publish %s on node %s: %s", key, nodeId, f.getMessage()));
    }

    private void putMetaIfChanged(Cdb c, ObjectKey key, ObjectNode values) {
        if (values.equals(publishedMeta.get(key))) {
            return;
        }
        c.putMeta(key, values);
        publishedMeta.put(key, values);
    }
}
