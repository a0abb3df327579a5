package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.JsonTrees;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks and converts command arguments into request arguments; failures are BAD_REQUEST. */
final class Args {

    private Args() {
    }

    /** The wire name of an object type, checked against the closed set. */
    static String type(String name) {
        try {
            return ObjectType.parse(name).wireName();
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest(e.getMessage());
        }
    }

    static ObjectNode key(String type, String id) {
        ObjectNode args = JsonTrees.object();
        args.put("type", type);
        args.put("id", id);
        return args;
    }

    /** A spec given inline as JSON, or as {@code @FILE} (or {@code @-} for stdin). */
    static ObjectNode spec(String text) {
        String json = text;
        String source = "--spec";
        if (text.startsWith("@")) {
            source = text.substring(1);
            try {
                json = source.equals("-")
                        ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(source), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw AcpException.badRequest("cannot read the spec from " + source + ": no such file");
            } catch (IOException e) {
                throw AcpException.badRequest("cannot read the spec from " + source + ": " + e.getMessage());
            }
        }
        JsonNode node;
        try {
            node = JsonTrees.read(json);
        } catch (IOException e) {
            throw AcpException.badRequest("the spec in " + source + " is not JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw AcpException.badRequest("the spec in " + source + " must be a JSON object, e.g. '{\"vlan\": 100}'");
        }
        return (ObjectNode) node;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
