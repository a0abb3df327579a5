package io.acp.agent;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-client-address connection limits of the agent: how many may be open at once and how fast
 * new ones may arrive (a token bucket per address). Entries of addresses with nothing open and a
 * full bucket are dropped, so the map stays as small as the set of active clients.
 */
final class ClientLimits {

    private final int maxOpen;
    private final double perNano;
    private final double burst;
    private final Map<String, Client> clients = new HashMap<>();

    private static final class Client {
        int open;
        double tokens;
        long last;
    }

    ClientLimits(int maxOpen, int perSecond) {
        this.maxOpen = maxOpen;
        this.perNano = perSecond / 1e9;
        this.burst = perSecond;
    }

    /** Null if a connection from {@code address} may open now (and counts it), else why not. */
    synchronized String admit(String address) {
        long now = System.nanoTime();
        Client c = clients.computeIfAbsent(address, a -> {
            Client n = new Client();
            n.tokens = burst;
            n.last = now;
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
