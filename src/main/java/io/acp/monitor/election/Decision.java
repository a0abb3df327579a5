package io.acp.monitor.election;

/** The outcome of one election round on one monitor: what it publishes as its meta. */
public record Decision(Role role, long term, String primary) {
}
