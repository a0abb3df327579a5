package io.acp.cluster.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.acp.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An object's spec (a JSON tree) in binary: a tag byte per node, then (integers big-endian,
 * strings a u32 length and UTF-8):
 * <pre>
 * 0 null | 1 false | 2 true | 3 int (i32) | 4 long (i64) | 5 double (f64) | 6 float (f32)
 * | 7 string | 8 big integer (its decimal string) | 9 decimal (its string)
 * | 10 array: count (u32), the nodes | 11 object: count (u32), per field its name (string) and node
 * | 12 any other node (a POJO, binary): its JSON text as a string, read back as JSON
 * </pre>
 * Reading it back builds the tree directly, node by node: no JSON tokenizer, no parser set up per
 * record (the bulk of a reload when each spec went through Jackson). Numbers keep their node type
 * exactly, which the JSON text did not (a long that fits an int came back an int).
 */
final class SpecCodec {

    private static final int NULL = 0;
    private static final int FALSE = 1;
    private static final int TRUE = 2;
    private static final int INT = 3;
    private static final int LONG = 4;
    private static final int DOUBLE = 5;
    private static final int FLOAT = 6;
    private static final int STRING = 7;
    private static final int BIG_INTEGER = 8;
    private static final int DECIMAL = 9;
    private static final int ARRAY = 10;
    private static final int OBJECT = 11;
    private static final int JSON_TEXT = 12;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SpecCodec() {
    }

    static void write(DataOutputStream out, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case NULL -> out.writeByte(NULL);
            case BOOLEAN -> out.writeByte(node.booleanValue() ? TRUE : FALSE);
            case STRING -> {
                out.writeByte(STRING);
                string(out, node.textValue());
            }
            case NUMBER -> number(out, node);
            case ARRAY -> {
                out.writeByte(ARRAY);
                out.writeInt(node.size());
                for (JsonNode item : node) {
                    write(out, item);
                }
            }
            case OBJECT -> {
                out.writeByte(OBJECT);
                out.writeInt(node.size());
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    string(out, field.getKey());
                    write(out, field.getValue());
                }
            }
            default -> {
                out.writeByte(JSON_TEXT);
                string(out, Json.MAPPER.writeValueAsString(node));
            }
        }
    }

    private static void number(DataOutputStream out, JsonNode n) throws IOException {
        if (n instanceof LongNode) {
            out.writeByte(LONG);
            out.writeLong(n.longValue());
        } else if (n instanceof DoubleNode) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits(n.doubleValue()));
        } else if (n instanceof FloatNode) {
            out.writeByte(FLOAT);
            out.writeInt(Float.floatToRawIntBits(n.floatValue()));
        } else if (n instanceof BigIntegerNode) {
            out.writeByte(BIG_INTEGER);
            string(out, n.bigIntegerValue().toString());
        } else if (n instanceof DecimalNode) {
            out.writeByte(DECIMAL);
            string(out, n.decimalValue().toString());
        } else { // int and short: JSON read both back as an int
            out.writeByte(INT);
            out.writeInt(n.intValue());
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] encode(JsonNode spec) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only from writing JSON text of a POJO node
        }
        return bytes.toByteArray();
    }

    /** Reads the one tree the cursor holds; throws {@link IllegalArgumentException} if it does not hold exactly one. */
    static JsonNode readWhole(PayloadCursor in) {
        JsonNode n = node(in, 0);
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("spec followed by " + in.remaining() + " stray bytes");
        }
        return n;
    }

    private static JsonNode node(PayloadCursor in, int depth) {
        if (depth > Json.MAX_NESTING) {
            throw new IllegalArgumentException("spec nested deeper than " + Json.MAX_NESTING);
        }
        int tag = in.u8("node tag");
        switch (tag) {
            case NULL:
                return NullNode.getInstance();
            case FALSE:
                return BooleanNode.FALSE;
            case TRUE:
                return BooleanNode.TRUE;
            case INT:
                return IntNode.valueOf(in.i32("int"));
            case LONG:
                return LongNode.valueOf(in.i64("long"));
            case DOUBLE:
                return DoubleNode.valueOf(Double.longBitsToDouble(in.i64("double")));
            case FLOAT:
                return FloatNode.valueOf(Float.intBitsToFloat(in.i32("float")));
            case STRING:
                return TextNode.valueOf(in.string32("string"));
            case BIG_INTEGER:
                return BigIntegerNode.valueOf(new BigInteger(in.string32("big integer")));
            case DECIMAL:
                return DecimalNode.valueOf(new BigDecimal(in.string32("decimal")));
            case ARRAY: {
                int n = count(in, "array");
                ArrayNode a = NODES.arrayNode(n);
                for (int i = 0; i < n; i++) {
                    a.add(node(in, depth + 1));
                }
                return a;
            }
            case OBJECT: {
                int n = count(in, "object");
                ObjectNode o = NODES.objectNode();
                for (int i = 0; i < n; i++) {
                    String name = in.string32("field name");
                    if (o.replace(name, node(in, depth + 1)) != null) {
                        throw new IllegalArgumentException("spec has field '" + name + "' twice");
                    }
                }
                return o;
            }
            case JSON_TEXT:
                try {
                    return Json.MAPPER.readTree(in.string32("JSON text"));
                } catch (IOException e) {
                    throw new IllegalArgumentException("unparsable JSON in spec: " + e.getMessage(), e);
                }
            default:
                throw new IllegalArgumentException("unknown spec node tag " + tag);
        }
    }

    /** A count of nodes that follow: each takes at least a byte, so a larger count is damage. */
    private static int count(PayloadCursor in, String what) {
        int n = in.i32(what + " size");
        in.need(n, what);
        return n;
    }
}
