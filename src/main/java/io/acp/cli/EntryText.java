package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.StringJoiner;
import java.util.TreeMap;

/** Human renderings of entries (the JSON form of io.acp.model.EntryJson). */
final class EntryText {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private EntryText() {
    }

    /** The node that wrote a version {@code <hex>@<node>}. */
    static String writer(String version) {
        int at = version == null ? -1 : version.indexOf('@');
        return at < 0 ? null : version.substring(at + 1);
    }

    static String name(JsonNode e) {
        return e.path("type").asText() + "/" + e.path("id").asText();
    }

    static void objectTable(JsonNode entries, PrintWriter out) {
        Table t = new Table("TYPE", "SUBTYPE", "ID", "VERSION", "NODE");
        for (JsonNode e : entries) {
            String version = e.path("version").asText(null);
            t.row(e.path("type").asText(), text(e, "subtype"), e.path("id").asText(), version, writer(version));
        }
        t.print(out);
    }

    static void object(JsonNode e, PrintWriter out) {
        Table t = new Table("FIELD", "VALUE");
        t.row("type", e.path("type").asText());
        t.row("subtype", text(e, "subtype"));
        t.row("id", e.path("id").asText());
        t.row("version", text(e, "version"));
        t.row("deleted", e.path("deleted").asBoolean(false));
        t.row("spec", e.path("spec").toString());
        t.print(out);
    }

    static void metaTable(JsonNode entries, PrintWriter out) {
        Table t = new Table("NODE", "VERSION", "VALUES");
        for (JsonNode e : entries) {
            t.row(reporter(e), text(e, "version"), values(e.path("values")));
        }
        t.print(out);
    }

    static void statsTable(JsonNode entries, PrintWriter out) {
        Table t = new Table("NODE", "TIME", "VALUES");
        for (JsonNode e : entries) {
            t.row(reporter(e), time(e.path("time")), values(e.path("values")));
        }
        t.print(out);
    }

    /** One line per watch event: when it arrived, what kind, which object, from where, what. */
    static String watchLine(JsonNode e) {
        String kind = e.path("kind").asText("?");
        StringBuilder line = new StringBuilder(LocalTime.now().format(CLOCK)).append(' ').append(kind).append(' ');
        line.append(name(e));
        if (kind.equals("object")) {
            if (e.hasNonNull("subtype")) {
                line.append(" (").append(e.get("subtype").asText()).append(')');
            }
            line.append(e.path("deleted").asBoolean(false) ? " deleted" : " " + e.path("spec"));
        } else {
            line.append(" from ").append(text(e, "node")).append(' ').append(values(e.path("values")));
        }
        return line.append(" @ ").append(text(e, "version")).toString();
    }

    /** The reporting node, flagged when this node sees it dead (its report is stale). */
    private static String reporter(JsonNode e) {
        String node = text(e, "node");
        return e.path("stale").asBoolean(false) ? node + " (stale)" : node;
    }

    static String time(JsonNode millis) {
        return millis.canConvertToLong() ? Instant.ofEpochMilli(millis.asLong()).truncatedTo(ChronoUnit.SECONDS).toString() : "-";
    }

    /** An ISO instant to the second: tables need no nanoseconds. Other text is left alone. */
    static String instant(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /**
     * A flat JSON object as {@code key=value} pairs sorted by key, so the same fields line up from
     * row to row; numbers shown the way people read them: 106176512, not 1.06176512E8.
     */
    static String values(JsonNode values) {
        if (!values.isObject()) {
            return values.toString();
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        values.properties().forEach(f -> sorted.put(f.getKey(), number(f.getValue())));
        StringJoiner out = new StringJoiner(" ");
        sorted.forEach((k, v) -> out.add(k + "=" + v));
        return out.toString();
    }

    private static String number(JsonNode v) {
        if (!v.isNumber()) {
            return v.isTextual() ? v.asText() : v.toString();
        }
        double d = v.asDouble();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String text(JsonNode e, String field) {
        JsonNode n = e.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
