package io.acp.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A request, the same on every transport.
 *
 * @param id      chosen by the client, echoed in every response frame; unique per connection while in flight
 * @param node    target node id, or null for the node that received it
 * @param service the service that handles it ("cluster", "framework", "api")
 * @param op      the operation within the service
 * @param args    operation arguments (never null; empty object when none)
 * @param key     API key; needed on the first request of a connection, optional after
 * @param caller  on a request one node routes to another: who asked and with which role; a node
 *                believes it only on a connection authenticated by a node certificate, and a routed
 *                request never carries the user's key
 * @param task    on a routed request: the id under which the target node records it as a task (the
 *                id the first node gave it, so the caller can follow it there); believed, like
 *                {@code caller}, only from a node certificate, and null otherwise
 */
public record Request(long id, String node, String service, String op, ObjectNode args, String key, Caller caller, String task) {

    /** Who asked for a routed request, as the sending node vouches: the key's name and role (wire name). */
    public record Caller(String name, String role) {
        public Caller {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
        }
    }

    public Request {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(args, "args");
    }

    public Request(long id, String node, String service, String op, ObjectNode args, String key) {
        this(id, node, service, op, args, key, null, null);
    }

    public Request(long id, String node, String service, String op, ObjectNode args, String key, Caller caller) {
        this(id, node, service, op, args, key, caller, null);
    }

    /** The same request, to be recorded as task {@code taskId}. */
    public Request withTask(String taskId) {
        return new Request(id, node, service, op, args, key, caller, taskId);
    }

    /** What goes in logs: never the key. */
    @Override
    public String toString() {
        return "Request[id=" + id + ", node=" + node + ", " + service + "." + op + "]";
    }
}
