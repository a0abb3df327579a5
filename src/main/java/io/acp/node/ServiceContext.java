package io.acp.node;

/** What the manager hands a starting service. */
public interface ServiceContext {

    /** The id of this node. */
    String nodeId();

    /** Reports that the running service has failed; the manager stops and restarts it with backoff. */
    void failed(Throwable cause);
}
