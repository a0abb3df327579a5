package io.acp.hypervisor;

import io.acp.protocol.AcpException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A system's scheduled backups ({@code "backup": {"schedule": "daily 02:00", "keep": 7,
 * "keepDaily": 7, "keepWeekly": 4, "to": "vault"}} in its spec): when a backup is due, which of its
 * backups pool {@code to} keeps ({@link BackupRetention}: the newest {@code keep}, then one a day and
 * one a week; the rest are pruned after each scheduled backup), run by the node the system is
 * assigned to ({@link BackupScheduler}).
 *
 * <p>Schedules: {@code daily HH:MM} (UTC) or {@code every N(m|h|d)} (at least 5 minutes apart).
 *
 * @param keep how many of the newest backups are kept (keep-last), at least 1
 * @param keepDaily of the older ones, the newest of each of this many most recent days (0: none)
 * @param keepWeekly then the newest of each of this many most recent ISO weeks (0: none)
 */
record BackupPolicy(String schedule, int keep, int keepDaily, int keepWeekly, String to) {

    static final int MAX_KEEP = 1000;
    private static final Pattern DAILY = Pattern.compile("daily (\\d{2}:\\d{2})");
    private static final Pattern EVERY = Pattern.compile("every (\\d{1,4})([mhd])");

    BackupPolicy {
        due(schedule, Optional.empty(), Instant.EPOCH); // validates the schedule: a bad one is refused when the spec is parsed
        if (keep < 1 || keep > MAX_KEEP) {
            throw new IllegalArgumentException("keep must be from 1 to " + MAX_KEEP + ", got " + keep);
        }
        if (keepDaily < 0 || keepDaily > MAX_KEEP || keepWeekly < 0 || keepWeekly > MAX_KEEP) {
            throw new IllegalArgumentException("keepDaily and keepWeekly must be from 0 to " + MAX_KEEP + ", got " + keepDaily + " and " + keepWeekly);
        }
    }

    /** Keep-last only. */
    BackupPolicy(String schedule, int keep, String to) {
        this(schedule, keep, 0, 0, to);
    }

    BackupRetention retention() {
        return new BackupRetention(keep, keepDaily, keepWeekly);
    }

    /** Whether a backup is due at {@code now}, given the last one's time. With none yet, it is due at once. */
    boolean due(Optional<Instant> last, Instant now) {
        return due(schedule, last, now);
    }

    private static boolean due(String schedule, Optional<Instant> last, Instant now) {
        Matcher daily = DAILY.matcher(schedule);
        if (daily.matches()) {
            LocalTime at;
            try {
                at = LocalTime.parse(daily.group(1));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("schedule '" + schedule + "': " + daily.group(1) + " is not a time of day (HH:MM, UTC)");
            }
            Instant today = now.atZone(ZoneOffset.UTC).toLocalDate().atTime(at).toInstant(ZoneOffset.UTC);
            Instant latest = today.isAfter(now) ? today.minus(Duration.ofDays(1)) : today; // the last HH:MM at or before now
            return last.isEmpty() || last.get().isBefore(latest);
        }
        Matcher every = EVERY.matcher(schedule);
        if (every.matches()) {
            long n = Long.parseLong(every.group(1));
            Duration period = switch (every.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (period.compareTo(Duration.ofMinutes(5)) < 0) {
                throw new IllegalArgumentException("schedule '" + schedule + "' is more often than every 5m");
            }
            return last.isEmpty() || !last.get().plus(period).isAfter(now);
        }
        throw new IllegalArgumentException("schedule '" + schedule + "' is neither 'daily HH:MM' (UTC) nor 'every N' with m, h or d (e.g. every 6h)");
    }

    /** Parses the spec's {@code backup} object; BAD_REQUEST naming the system and the field. */
    static BackupPolicy parse(String system, com.fasterxml.jackson.databind.JsonNode j) {
        if (j == null || j.isNull()) {
            return null;
        }
        String prefix = "system " + system + ": field 'backup";
        if (!j.isObject() || !j.path("schedule").isTextual() || !j.path("to").isTextual() || !j.path("keep").canConvertToInt()
                || j.has("keepDaily") && !j.path("keepDaily").canConvertToInt() || j.has("keepWeekly") && !j.path("keepWeekly").canConvertToInt()) {
            throw AcpException.badRequest(prefix + "' must be {\"schedule\": \"daily 02:00\" or \"every 6h\", \"keep\": N, \"keepDaily\": N, "
                    + "\"keepWeekly\": N, \"to\": POOL} (keepDaily and keepWeekly optional), got " + j);
        }
        j.fieldNames().forEachRemaining(f -> {
            if (!List.of("schedule", "keep", "keepDaily", "keepWeekly", "to").contains(f)) {
                throw AcpException.badRequest(prefix + "." + f + "' is not a field of a backup policy; fields are keep, keepDaily, keepWeekly, schedule, to");
            }
        });
        try {
            return new BackupPolicy(j.path("schedule").asText(), j.path("keep").asInt(), j.path("keepDaily").asInt(0), j.path("keepWeekly").asInt(0),
                    j.path("to").asText());
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest(prefix + "' " + e.getMessage());
        }
    }

    com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        com.fasterxml.jackson.databind.node.ObjectNode o = io.acp.model.Json.object().put("schedule", schedule).put("keep", keep);
        if (keepDaily > 0) {
            o.put("keepDaily", keepDaily);
        }
        if (keepWeekly > 0) {
            o.put("keepWeekly", keepWeekly);
        }
        return o.put("to", to);
    }
}
