package io.acp.cluster.sync.membership;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.List;
import java.util.Optional;

/**
 * Publishes this node's view of a peer as this node's meta of {@code node/<peer>}:
 * {@code {"membership":"alive","epoch":…,"last-heard":…,"address":"ip:port"}}. It is replicated like
 * any meta, so every node can see how every other node sees the cluster.
 */
public final class MembershipMeta {

    private MembershipMeta() {
    }

    /** Writes the meta; returns empty (and writes nothing) if the peer id is not a valid object id. */
    public static Optional<ObjectKey> publish(Cdb cdb, Peer p) {
        ObjectKey key;
        try {
            key = ObjectKey.of(ObjectType.NODE, p.node());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        ObjectNode v = Json.object();
        v.put("membership", p.state().wireName());
        v.put("epoch", p.epoch());
        v.put("last-heard", p.lastHeardMillis());
        v.put("address", p.address().getAddress().getHostAddress() + ":" + p.address().getPort());
        cdb.putMeta(key, v);
        return Optional.of(key);
    }

    /**
     * True when {@code viewer}'s published view has {@code reporter} dead: the meta and stats that
     * {@code reporter} reported are kept, but they are stale and readers should say so. A node is
     * never stale to itself, and a node with no view of the reporter (no sync) does not mark it.
     */
    public static boolean deadInViewOf(Cdb cdb, String viewer, String reporter) {
        if (viewer.equals(reporter)) {
            return false;
        }
        ObjectKey key;
        try {
            key = ObjectKey.of(ObjectType.NODE, reporter);
        } catch (IllegalArgumentException e) {
            return false;
        }
        List<MetaEntry> view = cdb.meta(key, viewer);
        return !view.isEmpty() && PeerState.DEAD.wireName().equals(view.get(0).values().path("membership").asText(null));
    }
}
