package io.acp.api;

/**
 * Who a request runs as: the key's name in the api-keys file and its role. {@code viaNode} is the
 * node that vouched for it when the request was routed here (the caller authenticated there), or
 * null when the key was checked on this node.
 */
public record ApiIdentity(String name, Role role, String viaNode) {

    public ApiIdentity(String name, Role role) {
        this(name, role, null);
    }
}
