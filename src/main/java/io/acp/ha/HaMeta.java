package io.acp.ha;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.time.Instant;

/**
 * The {@code ha} field of this node's meta of a system: {@code {"state": ..., "reason": ..., "since": ...}}.
 * Each node writes what it did (the owner: started, relocated, fenced; the ownership leader:
 * recovering, error), so {@code acp meta system ID} shows the story from every side.
 */
final class HaMeta {

    /** The states of an HA system as the node writing them sees it. */
    enum State {
        STARTED, FENCED, RECOVERING, RELOCATED, ERROR;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Cdb cdb;

    HaMeta(Cdb cdb) {
        this.cdb = cdb;
    }

    void write(String system, State state, String reason) {
        write(system, state, reason, Instant.now());
    }

    /** As {@link #write(String, State, String)}, with {@code since} the moment the step began (a start's request, not its end). */
    void write(String system, State state, String reason, Instant since) {
        cdb.updateMeta(ObjectKey.of(ObjectType.SYSTEM, system), old -> {
            ObjectNode ha = Json.object();
            ha.put("state", state.wireName());
            if (reason != null) {
                ha.put("reason", reason);
            }
            ha.put("since", since.toString());
            old.set("ha", ha);
            return old;
        });
    }
}
