package io.acp.rest;

import io.acp.api.ApiIdentity;
import io.acp.api.Session;

/**
 * One REST request as the operations see it: the identity its key authenticated as, and nothing else
 * (REST has no connection, so no streams to cancel).
 */
record RestSession(ApiIdentity identity) implements Session {

    @Override
    public boolean cancelStream(long streamId) {
        return false;
    }

    @Override
    public String toString() {
        return "RestSession[" + identity.name() + "]"; // never the key
    }
}
