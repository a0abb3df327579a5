package io.acp.ha;

/**
 * Messages of the ownership group besides Raft's own: a member that is not the leader forwards its
 * proposals to the leader and gets the committed answer back.
 */
sealed interface GroupMessage {

    /** {@code from} asks the leader to commit {@code op}; {@code id} is from's own counter. */
    record Forward(long id, String from, LeaseOp op) implements GroupMessage {
    }

    /** The answer to {@link Forward} {@code id}: the committed result and its index, or the error that prevented it. */
    record Reply(long id, String from, long commitIndex, LeaseResult result, String error) implements GroupMessage {
    }
}
