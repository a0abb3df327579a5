package io.acp.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.time.Instant;
import java.util.Locale;

/**
 * An alarm object's spec ({@code alarm/<id>}, see docs/monitoring.md, "Alarms"), as a value.
 *
 * @param node       the node it concerns, or null
 * @param clearedAt  set once cleared
 * @param ackedBy    who acknowledged it (an API key name), or null
 */
public record Alarm(String rule, Severity severity, String subject, String node, String message, State state,
                    Instant firstSeen, Instant lastSeen, Instant clearedAt, String ackedBy) {

    /** raised → acknowledged (by a person) → cleared (by the primary); a cleared alarm may be raised again. */
    public enum State {
        RAISED, ACKNOWLEDGED, CLEARED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State parse(String s) {
            for (State v : values()) {
                if (v.wireName().equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("alarm state '" + s + "' is not raised, acknowledged or cleared");
        }

        public boolean active() {
            return this != CLEARED;
        }
    }

    /** @param since when the condition began (before the raise delay) */
    public static Alarm raised(Hit h, Instant since, Instant now) {
        return new Alarm(h.rule().id(), h.severity(), h.subject(), h.node(), h.message(), State.RAISED, since, now, null, null);
    }

    public Alarm seen(Hit h, Instant now) {
        return new Alarm(rule, h.severity(), subject, node, h.message(), state, firstSeen, now, null, ackedBy);
    }

    public Alarm cleared(Instant now) {
        return new Alarm(rule, severity, subject, node, message, State.CLEARED, firstSeen, lastSeen, now, ackedBy);
    }

    public Alarm acknowledged(String by) {
        return new Alarm(rule, severity, subject, node, message, State.ACKNOWLEDGED, firstSeen, lastSeen, clearedAt, by);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object()
                .put("rule", rule)
                .put("severity", severity.wireName())
                .put("subject", subject);
        if (node != null) {
            o.put("node", node);
        }
        o.put("message", message)
                .put("state", state.wireName())
                .put("firstSeen", firstSeen.toString())
                .put("lastSeen", lastSeen.toString());
        if (clearedAt != null) {
            o.put("clearedAt", clearedAt.toString());
        }
        if (ackedBy != null) {
            o.put("ackedBy", ackedBy);
        }
        return o;
    }

    /** Reads a spec; throws IllegalArgumentException naming the field at fault. */
    public static Alarm fromJson(JsonNode s) {
        try {
            return new Alarm(required(s, "rule"), Severity.parse(required(s, "severity")), required(s, "subject"), optional(s, "node"),
                    s.path("message").asText(""), State.parse(required(s, "state")), Instant.parse(required(s, "firstSeen")),
                    Instant.parse(required(s, "lastSeen")), instant(optional(s, "clearedAt")), optional(s, "ackedBy"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("alarm time is not ISO-8601: " + e.getParsedString());
        }
    }

    private static String required(JsonNode s, String field) {
        String v = optional(s, field);
        if (v == null) {
            throw new IllegalArgumentException("alarm has no '" + field + "'");
        }
        return v;
    }

    private static String optional(JsonNode s, String field) {
        JsonNode n = s.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
