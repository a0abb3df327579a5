package io.acp.console;

import io.smallrye.mutiny.Uni;

/** Opens a console of a system running on this node, as a relay end. */
public interface ConsoleEndpoints {

    /**
     * The console {@code kind} of system {@code id}, connected: CONFLICT when the system does not
     * run here (or is being migrated), NOT_FOUND when it has no such console.
     */
    Uni<ByteEnd> open(String id, ConsoleKind kind);
}
