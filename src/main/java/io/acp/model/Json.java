package io.acp.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON mapper of the node. Only the tree model is used (no data binding), so nothing
 * needs reflection in a native image. Nesting is capped so hostile input cannot blow the stack.
 * Code that runs in a CLI call reads and writes trees with {@link JsonTrees} instead, which does not
 * build this mapper.
 */
public final class Json {

    /** Deepest nesting accepted in any JSON document we parse. */
    public static final int MAX_NESTING = 64;

    public static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(JsonTrees.CONSTRAINTS);
        // "{...}garbage" is not a JSON document; without this Jackson reads the prefix and stops.
        MAPPER.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private Json() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
