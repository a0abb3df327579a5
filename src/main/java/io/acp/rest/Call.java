package io.acp.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;

/** Small helpers the resources share to build protocol arguments. */
final class Call {

    private Call() {
    }

    static ObjectNode args() {
        return Json.object();
    }

    static ObjectNode id(String id) {
        return Json.object().put("id", id);
    }

    static <T> T body(T body, String what) {
        if (body == null) {
            throw AcpException.badRequest(what + " needs a JSON body");
        }
        return body;
    }

    /** cluster.put of an existing object's new spec (how every transport updates an object). */
    static ObjectNode put(String type, String id, Bodies.ObjectUpdate update, String defaultSubtype) {
        ObjectNode a = Json.object();
        a.put("type", type);
        a.put("id", id);
        String subtype = update.subtype() != null ? update.subtype() : defaultSubtype;
        if (subtype != null) {
            a.put("subtype", subtype);
        }
        a.set("spec", update.spec());
        if (update.ifVersion() != null) {
            a.put("ifVersion", update.ifVersion());
        }
        return a;
    }
}
