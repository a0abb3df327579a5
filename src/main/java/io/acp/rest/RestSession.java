package io.acp.rest;

import io.acp.api.ApiIdentity;
import io.acp.api.Session;

/**
 * One REST request as the operations see it: the identity its key authenticated as and, for a long
 * operation answered with 202, the task id the gateway chose (REST has no connection, so no
 * streams to cancel).
 */
record RestSession(ApiIdentity identity, String taskId) implements Session {

    RestSession(ApiIdentity identity) {
        this(identity, null);
    }

    RestSession asTask(String id) {
        return new RestSession(identity, id);
    }

    @Override
    public boolean cancelStream(long streamId) {
        return false;
    }

    @Override
    public String toString() {
        return "RestSession[" + identity.name() + "]"; // never the key
    }
}
