package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * What {@code --json} prints: the node's answer with every whole number written as an integer.
 * Stats travel as doubles, so a pool's 270553174016 bytes would otherwise print as 2.70553174016E11,
 * which {@code jq} and most scripts read as a float.
 */
final class JsonNumbers {

    /** Exactly representable in a double and in a JavaScript number. */
    private static final double MAX_EXACT = 9_007_199_254_740_992d;

    private JsonNumbers() {
    }

    static JsonNode integral(JsonNode n) {
        if (n.isFloatingPointNumber()) {
            double d = n.asDouble();
            return d == Math.rint(d) && Math.abs(d) <= MAX_EXACT ? JsonNodeFactory.instance.numberNode((long) d) : n;
        }
        if (n.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                out.set(f.getKey(), integral(f.getValue()));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(n.size());
            n.forEach(e -> out.add(integral(e)));
            return out;
        }
        return n;
    }
}
