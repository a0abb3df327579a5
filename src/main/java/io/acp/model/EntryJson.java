package io.acp.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON form of entries, used on the wire, in watch events and in the journal:
 * <pre>
 * {"kind":"object","type":"network","subtype":"vlan","id":"v100","spec":{..},"version":"18c2..@n1","deleted":false}
 * {"kind":"meta","type":"node","id":"n1","node":"n1","values":{..},"version":"..."}
 * {"kind":"stats","type":"node","id":"n1","node":"n1","time":1732440000000,"values":{"cpu":0.12},"version":"..."}
 * </pre>
 * Parsing throws {@link IllegalArgumentException} with a message naming the bad field.
 */
public final class EntryJson {

    private EntryJson() {
    }

    public static ObjectNode toJson(Entry e) {
        ObjectNode o = Json.object();
        o.put("kind", e.kind().wireName());
        o.put("type", e.key().type().wireName());
        if (e instanceof ObjectEntry obj && obj.subtype() != null) {
            o.put("subtype", obj.subtype());
        }
        o.put("id", e.key().id());
        if (e instanceof ObjectEntry obj) {
            o.set("spec", obj.spec());
            o.put("deleted", obj.deleted());
        } else if (e instanceof MetaEntry m) {
            o.put("node", m.node());
            o.set("values", m.values());
        } else if (e instanceof StatsEntry s) {
            o.put("node", s.node());
            o.put("time", s.version().millis());
            ObjectNode values = o.putObject("values");
            s.values().forEach(values::put);
        }
        o.put("version", formatVersion(e.version()));
        return o;
    }

    public static Entry fromJson(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("entry must be a JSON object");
        }
        ObjectKey key = new ObjectKey(ObjectType.parse(text(o, "type")), text(o, "id"));
        Version version = parseVersion(text(o, "version"));
        String kind = text(o, "kind");
        switch (kind) {
            case "object":
                JsonNode spec = o.get("spec");
                if (spec == null || !spec.isObject()) {
                    throw new IllegalArgumentException("object entry " + key + " needs an object 'spec'");
                }
                JsonNode subtype = o.get("subtype");
                if (subtype != null && !subtype.isNull() && !subtype.isTextual()) {
                    throw new IllegalArgumentException("object entry " + key + ": 'subtype' must be a string");
                }
                JsonNode deleted = o.get("deleted");
                if (deleted != null && !deleted.isBoolean()) {
                    throw new IllegalArgumentException("object entry " + key + ": 'deleted' must be true or false");
                }
                return new ObjectEntry(key, subtype == null || subtype.isNull() ? null : subtype.asText(), spec, version, deleted != null && deleted.asBoolean());
            case "meta":
                JsonNode values = o.get("values");
                if (values == null || !values.isObject()) {
                    throw new IllegalArgumentException("meta entry " + key + " needs an object 'values'");
                }
                return new MetaEntry(key, text(o, "node"), (ObjectNode) values, version);
            case "stats":
                return new StatsEntry(key, text(o, "node"), numbers(o.get("values"), key), version);
            default:
                throw new IllegalArgumentException("unknown entry kind '" + kind + "'");
        }
    }

    /** {@code <hex clock reading>@<node>}; readable, sortable within a node, and parseable back. */
    public static String formatVersion(Version v) {
        return Long.toHexString(v.time()) + "@" + v.node();
    }

    public static Version parseVersion(String s) {
        int at = s == null ? -1 : s.indexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new IllegalArgumentException("version '" + s + "' is not of the form <hex>@<node>");
        }
        try {
            return new Version(Long.parseUnsignedLong(s.substring(0, at), 16), s.substring(at + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("version '" + s + "' is not of the form <hex>@<node>");
        }
    }

    /** Reads a flat object of numbers (stats values). */
    public static Map<String, Double> numbers(JsonNode values, Object owner) {
        if (values == null || !values.isObject()) {
            throw new IllegalArgumentException("stats of " + owner + " need an object 'values' of numbers");
        }
        Map<String, Double> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = values.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isNumber()) {
                throw new IllegalArgumentException("stats value '" + f.getKey() + "' of " + owner + " is not a number");
            }
            out.put(f.getKey(), f.getValue().asDouble());
        }
        return out;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("entry needs a string '" + field + "'");
        }
        return n.asText();
    }
}
