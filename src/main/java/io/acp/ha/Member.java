package io.acp.ha;

import io.microraft.RaftEndpoint;

/** A voting member of the ownership group, named by its node id (the id in its node certificate). */
record Member(String id) implements RaftEndpoint {

    Member {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an ownership group member needs a node id");
        }
    }

    @Override
    public Object getId() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
