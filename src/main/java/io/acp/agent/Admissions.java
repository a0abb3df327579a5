package io.acp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.Revocation;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The cluster's record of who was admitted, kept by the CA node in the cluster state: one object
 * {@code security/admitted.<node>} (subtype {@code admission}) per admitted node, and the check
 * that a name is already taken. Blocking (waits for the CDB write): call on a worker.
 */
final class Admissions {

    static final String SUBTYPE = "admission";
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final String caNode;
    private final Supplier<Cdb> cdb;

    Admissions(String caNode, Supplier<Cdb> cdb) {
        this.caNode = caNode;
        this.cdb = cdb;
    }

    static ObjectKey key(String node) {
        return ObjectKey.of(ObjectType.SECURITY, "admitted." + node);
    }

    /**
     * Why {@code node} is already a member, or empty if the name is free: it is the CA node, it
     * was admitted (an admission object), it reports itself (node meta of its own) or it has a node
     * object, or its name was revoked.
     */
    Optional<String> membership(String node) {
        if (node.equals(caNode)) {
            return Optional.of("it is the CA node itself");
        }
        Cdb c = cdb.get();
        Optional<ObjectEntry> admitted = c.object(key(node));
        if (admitted.isPresent()) {
            JsonNode s = admitted.get().spec();
            return Optional.of("it was admitted at " + s.path("at").asText("?") + " (certificate serial " + s.path("serial").asText("?") + ")");
        }
        ObjectKey nodeKey = ObjectKey.of(ObjectType.NODE, node);
        if (!c.meta(nodeKey, node).isEmpty()) {
            return Optional.of("it reports itself in the cluster state");
        }
        if (c.object(nodeKey).isPresent()) {
            return Optional.of("the cluster state has the object node/" + node);
        }
        if (c.object(ObjectKey.of(ObjectType.SECURITY, "revoked.name." + node)).isPresent()) {
            return Optional.of("its name was revoked");
        }
        return Optional.empty();
    }

    /** Records that {@code cert} admitted its node, from {@code from}, replacing a member or not. */
    void record(X509Certificate cert, String node, String from, boolean replaced) {
        var spec = Json.object().put("node", node).put("serial", cert.getSerialNumber().toString(16)).put("issuedBy", caNode)
                .put("at", Instant.now().toString()).put("from", from).put("replaced", replaced)
                .put("notAfter", cert.getNotAfter().toInstant().toString());
        cdb.get().putObject(key(node), SUBTYPE, spec, null).await().atMost(WRITE_TIMEOUT);
    }

    /** Publishes a CA-signed revocation in the cluster state. */
    void publish(Revocation r) {
        cdb.get().putObject(ObjectKey.of(ObjectType.SECURITY, r.objectId()), Revocation.SUBTYPE, r.toSpec(), null).await().atMost(WRITE_TIMEOUT);
    }
}
