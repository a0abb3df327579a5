package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.acp.model.JsonTrees;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        t.row("spec", JsonTrees.text(e.path("spec")));
        t.print(out);
    }

    /** Meta as one row per field and node; nested objects as dotted names; numbers with units. */
    static void metaTable(JsonNode entries, PrintWriter out) {
        Table t = new Table("NODE", "FIELD", "VALUE");
        for (JsonNode e : entries) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            flatten("", e.path("values"), fields);
            String node = reporter(e);
            if (fields.isEmpty()) {
                t.row(node, "-", "-");
            }
            for (Map.Entry<String, JsonNode> f : fields.entrySet()) {
                String leaf = f.getKey().substring(f.getKey().lastIndexOf('.') + 1);
                t.row(node, f.getKey(), Units.format(leaf, f.getValue()));
                node = "";
            }
        }
        t.print(out);
    }

    /** Latest stats as one row per metric and node, with units; the time once per node. */
    static void statsTable(JsonNode entries, PrintWriter out) {
        Table t = new Table("NODE", "METRIC", "VALUE", "TIME");
        for (JsonNode e : entries) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            e.path("values").fields().forEachRemaining(f -> sorted.put(f.getKey(), f.getValue()));
            String node = reporter(e);
            String time = time(e.path("time"));
            for (Map.Entry<String, JsonNode> f : sorted.entrySet()) {
                t.row(node, f.getKey(), Units.format(f.getKey(), f.getValue()), time);
                node = "";
                time = "";
            }
        }
        t.print(out);
    }

    /** A cluster.history answer: one row per step, one column per metric. */
    static void historyTable(JsonNode history, PrintWriter out) {
        List<String> metrics = new ArrayList<>();
        TreeMap<Long, Map<String, JsonNode>> rows = new TreeMap<>();
        for (JsonNode s : history.path("series")) {
            String metric = s.path("metric").asText();
            metrics.add(metric);
            for (JsonNode p : s.path("points")) {
                rows.computeIfAbsent(p.path(0).asLong(), k -> new HashMap<>()).put(metric, p.path(1));
            }
        }
        out.println(history.path("type").asText() + "/" + history.path("id").asText() + " as node " + history.path("node").asText()
                + " reported it, last " + history.path("range").asText() + " at " + Units.duration(history.path("stepMillis").asLong() / 1000)
                + " steps (averages): " + rows.size() + " steps with samples");
        String[] header = new String[metrics.size() + 1];
        header[0] = "TIME";
        for (int i = 0; i < metrics.size(); i++) {
            header[i + 1] = metrics.get(i);
        }
        Table t = new Table(header);
        for (Map.Entry<Long, Map<String, JsonNode>> r : rows.entrySet()) {
            Object[] cells = new Object[header.length];
            cells[0] = time(JsonNodeFactory.instance.numberNode(r.getKey()));
            for (int i = 0; i < metrics.size(); i++) {
                JsonNode v = r.getValue().get(metrics.get(i));
                cells[i + 1] = v == null ? "-" : Units.format(metrics.get(i), v);
            }
            t.row(cells);
        }
        t.print(out);
    }

    private static void flatten(String prefix, JsonNode v, Map<String, JsonNode> into) {
        if (v.isObject() && (prefix.isEmpty() || v.size() > 0)) {
            v.fields().forEachRemaining(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), into));
        } else if (!prefix.isEmpty()) {
            into.put(prefix, v);
        }
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
            return JsonTrees.text(values);
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        values.properties().forEach(f -> sorted.put(f.getKey(), number(f.getValue())));
        StringJoiner out = new StringJoiner(" ");
        sorted.forEach((k, v) -> out.add(k + "=" + v));
        return out.toString();
    }

    private static String number(JsonNode v) {
        if (!v.isNumber()) {
            return v.isTextual() ? v.asText() : JsonTrees.text(v);
        }
        return Units.number(v.asDouble());
    }

    private static String text(JsonNode e, String field) {
        JsonNode n = e.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
