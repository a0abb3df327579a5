package io.acp.api;

/**
 * Admits requests on connections another entry point hands to the API (the agent's per-client
 * request rate). A request it refuses is answered {@code rate_limited} and not run.
 */
public interface RequestGate {

    /** True if one more request may run now. Called on the connection's event loop. */
    boolean admit();

    /** The message of the {@code rate_limited} answer. */
    String refusal();

    RequestGate OPEN = new RequestGate() {
        @Override
        public boolean admit() {
            return true;
        }

        @Override
        public String refusal() {
            return "";
        }
    };
}
