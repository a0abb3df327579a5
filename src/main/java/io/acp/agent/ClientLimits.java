package io.acp.agent;

import io.acp.api.RequestGate;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-client-address limits of the agent: how many connections may be open at once, how fast new
 * ones may arrive, and how many requests per second all of its connections together may send
 * (token buckets per address). Entries of addresses with nothing open and a full connection bucket
 * are dropped, so the map stays as small as the set of active clients.
 */
final class ClientLimits {

    private final int maxOpen;
    private final double perNano;
    private final double burst;
    private final int requestsPerSecond;
    private final Map<String, Client> clients = new HashMap<>();

    private static final class Client {
        int open;
        double tokens;
        long last;
        double requestTokens;
        long requestLast;
    }

    ClientLimits(int maxOpen, int perSecond, int requestsPerSecond) {
        this.maxOpen = maxOpen;
        this.perNano = perSecond / 1e9;
        this.burst = perSecond;
        this.requestsPerSecond = requestsPerSecond;
    }

    /** The request rate gate of {@code address}, shared by all its connections. */
    RequestGate requests(String address) {
        String refusal = address + " sends more than " + requestsPerSecond + " requests/s (acp.agent.requests-per-second); retry shortly";
        return new RequestGate() {
            @Override
            public boolean admit() {
                return admitRequest(address);
            }

            @Override
            public String refusal() {
                return refusal;
            }
        };
    }

    private synchronized boolean admitRequest(String address) {
        Client c = clients.get(address);
        if (c == null) {
            return true; // closed meanwhile: its last frames need no limit
        }
        long now = System.nanoTime();
        c.requestTokens = Math.min(requestsPerSecond, c.requestTokens + (now - c.requestLast) * (requestsPerSecond / 1e9));
        c.requestLast = now;
        if (c.requestTokens < 1) {
            return false;
        }
        c.requestTokens -= 1;
        return true;
    }

    /** Null if a connection from {@code address} may open now (and counts it), else why not. */
    synchronized String admit(String address) {
        long now = System.nanoTime();
        Client c = clients.computeIfAbsent(address, a -> {
            Client n = new Client();
            n.tokens = burst;
            n.last = now;
            n.requestTokens = requestsPerSecond;
            n.requestLast = now;
            return n;
        });
        c.tokens = Math.min(burst, c.tokens + (now - c.last) * perNano);
        c.last = now;
        if (c.open >= maxOpen) {
            return address + " already has " + c.open + " connections open (acp.agent.max-connections-per-client)";
        }
        if (c.tokens < 1) {
            return address + " opens connections faster than " + (int) burst + "/s (acp.agent.connections-per-second)";
        }
        c.tokens -= 1;
        c.open++;
        return null;
    }

    synchronized void closed(String address) {
        Client c = clients.get(address);
        if (c != null && --c.open <= 0 && c.tokens >= burst - 1) {
            clients.remove(address);
        }
    }

    synchronized int open(String address) {
        Client c = clients.get(address);
        return c == null ? 0 : c.open;
    }
}
