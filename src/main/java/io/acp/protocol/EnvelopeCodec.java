package io.acp.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.JsonTrees;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON form of requests and responses (docs/protocol.md). Hand-written over the tree model so it
 * needs no reflection; read and written with {@link JsonTrees} (no ObjectMapper: a CLI call is
 * quicker without one). Decoding failures are {@link AcpException}s with BAD_FRAME (not JSON, not
 * UTF-8, not an object) or BAD_REQUEST (an envelope field missing or of the wrong type).
 */
public final class EnvelopeCodec {

    private EnvelopeCodec() {
    }

    // ---- requests -----------------------------------------------------------------------------

    public static byte[] encode(Request r) {
        ObjectNode o = JsonTrees.object();
        o.put("id", r.id());
        if (r.node() != null) {
            o.put("node", r.node());
        }
        o.put("service", r.service());
        o.put("op", r.op());
        o.set("args", r.args());
        if (r.key() != null) {
            o.put("key", r.key());
        }
        if (r.caller() != null) {
            o.putObject("as").put("name", r.caller().name()).put("role", r.caller().role());
        }
        if (r.task() != null) {
            o.put("task", r.task());
        }
        return bytes(o);
    }

    public static Request decodeRequest(byte[] payload) {
        ObjectNode o = parseObject(payload);
        long id = idOf(o);
        JsonNode args = o.get("args");
        if (args != null && !args.isNull() && !args.isObject()) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "request " + id + ": 'args' must be an object");
        }
        return new Request(id,
                optionalText(o, "node", id),
                requiredText(o, "service", id),
                requiredText(o, "op", id),
                args == null || args.isNull() ? JsonTrees.object() : (ObjectNode) args,
                optionalText(o, "key", id),
                caller(o, id),
                optionalText(o, "task", id));
    }

    private static Request.Caller caller(ObjectNode o, long id) {
        JsonNode as = o.get("as");
        if (as == null || as.isNull()) {
            return null;
        }
        if (!as.isObject() || !as.path("name").isTextual() || !as.path("role").isTextual()) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "request " + id + ": 'as' must be {\"name\": text, \"role\": text}");
        }
        return new Request.Caller(as.get("name").asText(), as.get("role").asText());
    }

    /** The request id if the payload is a JSON object with a numeric id, else 0: for error replies. */
    public static long bestEffortId(byte[] payload) {
        try {
            JsonNode id = JsonTrees.read(payload).get("id");
            return id != null && id.canConvertToLong() ? id.asLong() : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    // ---- responses ----------------------------------------------------------------------------

    public static byte[] encode(Response r) {
        ObjectNode o = JsonTrees.object();
        o.put("id", r.id());
        if (r instanceof Response.Result res) {
            o.set("result", res.result());
        } else if (r instanceof Response.Failure f) {
            ObjectNode err = o.putObject("error");
            err.put("code", f.code().wireName());
            err.put("message", f.message());
        } else if (r instanceof Response.Event ev) {
            o.set("event", ev.event());
        } else {
            o.put("end", true);
        }
        return bytes(o);
    }

    public static Response decodeResponse(byte[] payload) {
        ObjectNode o = parseObject(payload);
        long id = o.path("id").asLong(0);
        if (o.has("error")) {
            JsonNode err = o.get("error");
            return new Response.Failure(id, ErrorCode.fromWire(err.path("code").asText("internal")), err.path("message").asText(""));
        }
        if (o.has("event")) {
            return new Response.Event(id, o.get("event"));
        }
        if (o.path("end").asBoolean(false)) {
            return new Response.End(id);
        }
        if (o.has("result")) {
            return new Response.Result(id, o.get("result"));
        }
        throw new AcpException(ErrorCode.BAD_FRAME, "response " + id + " has none of result, error, event, end");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static ObjectNode parseObject(byte[] payload) {
        try {
            // Strict UTF-8 first: Jackson would otherwise replace or guess at bad bytes.
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload));
        } catch (CharacterCodingException e) {
            throw new AcpException(ErrorCode.BAD_FRAME, "frame is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = JsonTrees.read(payload);
        } catch (JsonProcessingException e) {
            throw new AcpException(ErrorCode.BAD_FRAME, "frame is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new AcpException(ErrorCode.BAD_FRAME, "frame is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new AcpException(ErrorCode.BAD_FRAME, "frame must hold a JSON object");
        }
        return (ObjectNode) node;
    }

    private static long idOf(ObjectNode o) {
        JsonNode id = o.get("id");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "request needs a positive integer 'id'");
        }
        return id.asLong();
    }

    private static String requiredText(ObjectNode o, String field, long id) {
        String s = optionalText(o, field, id);
        if (s == null || s.isEmpty()) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "request " + id + " needs a string '" + field + "'");
        }
        return s;
    }

    private static String optionalText(ObjectNode o, String field, long id) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "request " + id + ": '" + field + "' must be a string");
        }
        return n.asText();
    }

    private static byte[] bytes(ObjectNode o) {
        return JsonTrees.bytes(o);
    }
}
