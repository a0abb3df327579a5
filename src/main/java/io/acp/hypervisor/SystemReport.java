package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.time.Instant;

/**
 * What this node reports as a system's meta: {@code {"state", "loaded", "node", "since"}}.
 * {@code since} is when the state or loadedness last changed, not when it was last reported.
 */
public record SystemReport(SystemState state, boolean loaded, String node, Instant since) {

    /** The same observation at a later time keeps its {@code since}. */
    boolean sameAs(SystemState otherState, boolean otherLoaded) {
        return state == otherState && loaded == otherLoaded;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("state", state.wireName());
        o.put("loaded", loaded);
        o.put("node", node);
        o.put("since", since.toString());
        return o;
    }
}
