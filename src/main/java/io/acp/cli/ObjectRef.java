package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Parameters;

/** The {@code TYPE ID} arguments of the commands that act on one object (a picocli mixin). */
final class ObjectRef {

    @Parameters(index = "0", paramLabel = "TYPE", description = "node, system, storage, network, service or alarm.")
    String type;

    @Parameters(index = "1", paramLabel = "ID", description = "The object's id.")
    String id;

    /** Checks the type (BAD_REQUEST naming the valid ones) and returns {@code {"type", "id"}}. */
    ObjectNode args() {
        return Args.key(Args.type(type), id);
    }
}
