package io.acp.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectKey;
import java.util.List;
import java.util.Map;

/**
 * What one monitor sees of the cluster at one moment, read from its CDB: the input of the pure
 * {@link HealthRules}. Tests build it by hand; {@link CdbObservations} builds it from a CDB.
 *
 * @param viewer the node whose view this is
 * @param nodes  every known node
 * @param reports the meta and stats that observable nodes report about objects
 */
public record Observations(String viewer, long nowMillis, List<NodeFacts> nodes, List<Report> reports) {

    public Observations {
        nodes = List.copyOf(nodes);
        reports = List.copyOf(reports);
    }

    /** How the viewer sees a node: itself, or by its membership view (UNKNOWN when sync is off). */
    public enum Reachability {
        SELF, ALIVE, SUSPECT, DEAD, UNKNOWN;

        /** Whether what the node reports can be trusted as current. */
        public boolean observable() {
            return this == SELF || this == ALIVE || this == UNKNOWN;
        }
    }

    /**
     * @param statsAgeMillis    how long since this monitor last received the node's stats; null if never
     * @param clockOffsetMillis the node's wall clock minus the viewer's, or null if not measured
     */
    public record NodeFacts(String id, Reachability reachability, Long statsAgeMillis, Double clockOffsetMillis) {
    }

    /**
     * One node's report about one object.
     *
     * @param meta  the node's meta of the object (an empty object if none)
     * @param stats the latest stats sample (empty if none)
     * @param rises how much each error counter ({@code rxErrors}, {@code eth0.txErrors}…) rose within the error window
     */
    public record Report(ObjectKey key, String subtype, String node, JsonNode meta, Map<String, Double> stats, Map<String, Double> rises) {

        public Report {
            stats = Map.copyOf(stats);
            rises = Map.copyOf(rises);
        }

        public String state() {
            return meta.path("state").asText("");
        }
    }
}
