package io.acp.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Open connections of one listener, in total and per peer: a peer at its cap, or a listener at
 * its cap, gets its new connection closed at once, so one client cannot exhaust the node's
 * memory or file descriptors, and one flooding peer leaves room for others up to the listener cap.
 */
final class ConnectionLimits {

    private final String listener;
    private final int maxTotal;
    private final int maxPerPeer;
    private final Map<String, Integer> perPeer = new HashMap<>();
    private int total;

    ConnectionLimits(String listener, int maxTotal, int maxPerPeer) {
        this.listener = listener;
        this.maxTotal = maxTotal;
        this.maxPerPeer = maxPerPeer;
    }

    /** Null if {@code peer} may open one more connection (and counts it), else why not. */
    synchronized String admit(String peer) {
        if (total >= maxTotal) {
            return "listener " + listener + " has " + total + " connections open, its limit (acp.api.max-connections)";
        }
        int open = perPeer.getOrDefault(peer, 0);
        if (open >= maxPerPeer) {
            return peer + " has " + open + " connections open on listener " + listener + ", its limit (acp.api.max-connections-per-peer)";
        }
        perPeer.put(peer, open + 1);
        total++;
        return null;
    }

    synchronized void closed(String peer) {
        Integer open = perPeer.get(peer);
        if (open != null) {
            total--;
            if (open <= 1) {
                perPeer.remove(peer);
            } else {
                perPeer.put(peer, open - 1);
            }
        }
    }

    synchronized int open() {
        return total;
    }
}
