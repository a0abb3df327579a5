package io.acp.ha;

/**
 * How members of the ownership group reach each other: a {@link io.microraft.model.message.RaftMessage}
 * or a {@link GroupMessage}, best effort (Raft retries; a lost forward times out). The real one is
 * {@link TlsGroupTransport}; the simulation delivers in virtual time.
 */
interface GroupTransport {

    /** Sends {@code message} to {@code to}, or drops it if {@code to} cannot be reached now. Never blocks. */
    void send(Member to, Object message);

    /** Whether a message to {@code to} may get through now (MicroRaft skips members that cannot). */
    default boolean reachable(Member to) {
        return true;
    }
}
