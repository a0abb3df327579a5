package io.acp.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON text to tree and back with jackson-core's streaming parser and generator only, for the
 * CLI's client path and the API's envelopes: building {@link Json#MAPPER} (an ObjectMapper) loads
 * and links some 400 classes, about a third of a client call's CPU time, and a tree needs none of
 * them. The result is the one {@link Json#MAPPER} gives byte for byte (JsonTreesTest): the same
 * node types for numbers (int, long, BigInteger, double), the last of duplicate keys in the first
 * one's place, an empty document as a missing node, a trailing token refused with the mapper's
 * message, and the compact output {@code writeValueAsBytes} and {@link JsonNode#toString()} print.
 */
public final class JsonTrees {

    /** Nesting and string limits of every JSON document we parse (also {@link Json#MAPPER}'s). */
    public static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(Json.MAX_NESTING)
            .maxStringLength(16 * 1024 * 1024)
            .build();

    private static final JsonFactory FACTORY = JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** The tree of one JSON document; a missing node for an empty one. */
    public static JsonNode read(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            return document(p);
        }
    }

    /** The tree of one JSON document; a missing node for an empty one. */
    public static JsonNode read(String json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            return document(p);
        }
    }

    /** Compact UTF-8 JSON, as {@code Json.MAPPER.writeValueAsBytes(tree)}. */
    public static byte[] bytes(JsonNode tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(tree, g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a JSON tree", e);
        }
        return out.toByteArray();
    }

    /** Compact JSON, as {@link JsonNode#toString()} and {@code Json.MAPPER.writeValueAsString(tree)}. */
    public static String text(JsonNode tree) {
        if (tree.isMissingNode()) {
            return ""; // as MissingNode.toString(): e.path("spec") of an entry without one
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(tree, g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a JSON tree", e);
        }
        return out.toString();
    }

    private static JsonNode document(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            return MissingNode.getInstance();
        }
        JsonNode tree = value(p, first);
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
            // the words of DeserializationFeature.FAIL_ON_TRAILING_TOKENS, which Json.MAPPER enables
            throw MismatchedInputException.from(p, JsonNode.class, String.format("Trailing token (of type %s) found after value"
                    + " (bound as `%s`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`", trailing, JsonNode.class.getName()));
        }
        return tree;
    }

    /** The value starting at {@code token}; the parser bounds the nesting (CONSTRAINTS). */
    private static JsonNode value(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT:
                ObjectNode object = NODES.objectNode();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    object.replace(name, value(p, p.nextToken()));
                }
                return object;
            case START_ARRAY:
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(value(p, t));
                }
                return array;
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw MismatchedInputException.from(p, JsonNode.class, "Unexpected token (" + token + ") for a JSON tree");
        }
    }

    private static void write(JsonNode n, JsonGenerator g) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT:
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    g.writeFieldName(field.getKey());
                    write(field.getValue(), g);
                }
                g.writeEndObject();
                break;
            case ARRAY:
                g.writeStartArray();
                for (JsonNode element : n) {
                    write(element, g);
                }
                g.writeEndArray();
                break;
            case STRING:
                g.writeString(n.textValue());
                break;
            case NUMBER:
                number(n, g);
                break;
            case BOOLEAN:
                g.writeBoolean(n.booleanValue());
                break;
            case NULL:
            case MISSING:
                g.writeNull();
                break;
            case BINARY:
                g.writeBinary(n.binaryValue());
                break;
            default:
                // a POJO node (never in a parsed tree): only the mapper knows how to write its object
                g.writeRawValue(Json.MAPPER.writeValueAsString(n));
        }
    }

    private static void number(JsonNode n, JsonGenerator g) throws IOException {
        switch (n.numberType()) {
            case INT:
                g.writeNumber(n.intValue());
                break;
            case LONG:
                g.writeNumber(n.longValue());
                break;
            case BIG_INTEGER:
                g.writeNumber(n.bigIntegerValue());
                break;
            case FLOAT:
                g.writeNumber(n.floatValue());
                break;
            case BIG_DECIMAL:
                g.writeNumber(n.decimalValue());
                break;
            default:
                g.writeNumber(n.doubleValue());
        }
    }
}
