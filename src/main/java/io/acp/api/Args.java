package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;

/** Typed reading of a request's {@code args}; every mistake is a BAD_REQUEST naming the field. */
final class Args {

    private final String op;
    private final ObjectNode args;

    Args(String op, ObjectNode args) {
        this.op = op;
        this.args = args;
    }

    boolean has(String field) {
        return args.has(field);
    }

    String text(String field) {
        String s = optionalText(field);
        if (s == null) {
            throw AcpException.badRequest(op + " needs a string argument '" + field + "'");
        }
        return s;
    }

    String optionalText(String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw AcpException.badRequest(op + ": argument '" + field + "' must be a string");
        }
        return n.asText();
    }

    boolean flag(String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw AcpException.badRequest(op + ": argument '" + field + "' must be true or false");
        }
        return n.asBoolean();
    }

    long positiveLong(String field) {
        JsonNode n = args.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() <= 0) {
            throw AcpException.badRequest(op + " needs a positive integer argument '" + field + "'");
        }
        return n.asLong();
    }

    ObjectNode object(String field) {
        JsonNode n = args.get(field);
        if (n == null || !n.isObject()) {
            throw AcpException.badRequest(op + " needs an object argument '" + field + "'");
        }
        return (ObjectNode) n;
    }

    JsonNode raw(String field) {
        return args.get(field);
    }

    ObjectType type() {
        return parseType(text("type"));
    }

    ObjectType optionalType() {
        String t = optionalText("type");
        return t == null ? null : parseType(t);
    }

    ObjectKey key() {
        ObjectType type = type();
        try {
            return new ObjectKey(type, text("id"));
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest(op + ": " + e.getMessage());
        }
    }

    private ObjectType parseType(String t) {
        try {
            return ObjectType.parse(t);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest(op + ": " + e.getMessage());
        }
    }
}
