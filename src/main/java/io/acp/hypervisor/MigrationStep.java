package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.time.Instant;
import java.util.Optional;

/**
 * The last step a node took in a migration it is part of, recorded in its meta of the system as
 * {@code "migration": {"role", "peer", "live", "running", "step", "at"}} ({@code running}: the system ran at the source when it began) before the step's effect can be seen
 * elsewhere, and removed when the migration is over. A node that restarts half-way reads it back
 * and finishes the migration one way or the other ({@link Migrations#recover}).
 *
 * <p>Source steps: {@code preparing} (asking the target), {@code moving} (libvirt moves the running
 * domain, or it is shut down here), {@code moved} (libvirt's move succeeded: from now on only
 * forward), {@code assigned} (the CDB names the target). Target steps: {@code prepared}.
 */
record MigrationStep(Role role, String peer, boolean live, boolean running, String step, Instant at) {

    enum Role {
        SOURCE, TARGET;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final String PREPARING = "preparing";
    static final String MOVING = "moving";
    static final String MOVED = "moved";
    static final String ASSIGNED = "assigned";
    static final String PREPARED = "prepared";

    MigrationStep next(String nextStep, Instant now) {
        return new MigrationStep(role, peer, live, running, nextStep, now);
    }

    ObjectNode toJson() {
        return Json.object().put("role", role.wireName()).put("peer", peer).put("live", live).put("running", running).put("step", step).put("at", at.toString());
    }

    /** The record in a node's meta of a system, if it holds a well-formed one. */
    static Optional<MigrationStep> of(JsonNode meta) {
        JsonNode m = meta == null ? null : meta.get("migration");
        if (m == null || !m.isObject()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MigrationStep(Role.valueOf(m.path("role").asText().toUpperCase(java.util.Locale.ROOT)), m.path("peer").asText(),
                    m.path("live").asBoolean(), m.path("running").asBoolean(), m.path("step").asText(), Instant.parse(m.path("at").asText())));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }
}
