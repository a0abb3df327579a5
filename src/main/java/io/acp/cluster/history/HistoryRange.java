package io.acp.cluster.history;

import io.acp.protocol.AcpException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The resolutions stats history is kept at: each range is one ring of fixed steps, a step holding
 * the average of the samples that fell into it.
 */
public enum HistoryRange {
    /** The last hour at one second. */
    HOUR("1h", 1_000, 3_600),
    /** The last day at one minute. */
    DAY("1d", 60_000, 1_440),
    /** The last 30 days at ten minutes. */
    MONTH("30d", 600_000, 4_320);

    private final String wireName;
    private final long stepMillis;
    private final int steps;

    HistoryRange(String wireName, long stepMillis, int steps) {
        this.wireName = wireName;
        this.stepMillis = stepMillis;
        this.steps = steps;
    }

    public String wireName() {
        return wireName;
    }

    public long stepMillis() {
        return stepMillis;
    }

    public int steps() {
        return steps;
    }

    public long spanMillis() {
        return stepMillis * steps;
    }

    /** The range named {@code 1h}, {@code 1d} or {@code 30d} (also {@code 1m} and {@code 1mo} for the month). */
    public static HistoryRange parse(String text) {
        String t = text == null ? "" : text.trim();
        for (HistoryRange r : values()) {
            if (r.wireName.equalsIgnoreCase(t)) {
                return r;
            }
        }
        if (t.equals("1mo") || t.equals("1m") || t.equalsIgnoreCase("month")) {
            return MONTH;
        }
        throw AcpException.badRequest("history range '" + text + "' is not one of "
                + Arrays.stream(values()).map(HistoryRange::wireName).collect(Collectors.joining(", ")));
    }
}
