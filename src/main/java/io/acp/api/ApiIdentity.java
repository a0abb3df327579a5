package io.acp.api;

/** Who a connection authenticated as: the key's name in the api-keys file, and its role. */
public record ApiIdentity(String name, Role role) {
}
