package io.acp.api;

/**
 * The client certificate of a connection that arrived through the agent: the name it certifies,
 * and whether it is a node's certificate (which may vouch for the caller of a routed request and
 * call node-only operations) or anything else (an operator's, which only carries an API key).
 */
public record AgentPeer(String name, boolean node) {

    /** What the failed-authentication limits count this peer as. */
    String limitKey() {
        return "cert:" + name;
    }
}
