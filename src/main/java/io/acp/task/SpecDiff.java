package io.acp.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * What changed between two specs, as a list of {@code {"path", "before", "after"}}: one entry per
 * leaf or per whole value that differs, paths in JSON Pointer form ({@code /disks/0/path}). A
 * field that appears has no {@code before}; one that goes has no {@code after}. Arrays are compared
 * by position. A spec that is created has one entry for {@code ""} with only {@code after}.
 */
public final class SpecDiff {

    /** Longest diff kept: a spec that changed in more places is cut, with an entry saying so. */
    public static final int MAX_ENTRIES = 64;

    private SpecDiff() {
    }

    /** The differences; {@code before} or {@code after} null means the object did not exist. */
    public static ArrayNode between(JsonNode before, JsonNode after) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        walk("", before, after, out);
        if (out.size() > MAX_ENTRIES) {
            int more = out.size() - MAX_ENTRIES;
            while (out.size() > MAX_ENTRIES) {
                out.remove(out.size() - 1);
            }
            out.addObject().put("path", "…").put("omitted", more);
        }
        return out;
    }

    private static void walk(String path, JsonNode before, JsonNode after, ArrayNode out) {
        if (before == null && after == null) {
            return;
        }
        if (before != null && after != null && before.equals(after)) {
            return;
        }
        if (before != null && after != null && before.isObject() && after.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                walk(path + "/" + escape(name), before.get(name), after.get(name), out);
            }
            return;
        }
        if (before != null && after != null && before.isArray() && after.isArray()) {
            int n = Math.max(before.size(), after.size());
            for (int i = 0; i < n; i++) {
                walk(path + "/" + i, before.get(i), after.get(i), out);
            }
            return;
        }
        ObjectNode change = out.addObject();
        change.put("path", path);
        if (before != null) {
            change.set("before", before.deepCopy());
        }
        if (after != null) {
            change.set("after", after.deepCopy());
        }
    }

    /** JSON Pointer escaping (RFC 6901): {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /** True if {@code diff} records no change. */
    public static boolean empty(ArrayNode diff) {
        Iterator<JsonNode> it = diff.elements();
        return !it.hasNext();
    }
}
