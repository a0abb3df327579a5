package io.acp.monitor.election;

/** A live monitor as this node sees it: its node and the term it last published (0 if none yet). */
public record MonitorPeer(String node, long term) {
}
