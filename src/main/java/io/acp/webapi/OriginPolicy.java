package io.acp.webapi;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which browser pages may open the WebSocket. A browser always sends {@code Origin} on a WebSocket
 * upgrade, and a page of another site must not drive the node with the user's session. The
 * origin is compared with the configured public origins, by default the node's own listen
 * address; never with the {@code Host} header, which the page's own site chooses (a DNS-rebinding
 * page sends its own name as Host and the node's address behind it). Clients that are not browsers
 * send no Origin and are not at risk of that, so they pass; they still need a key.
 */
final class OriginPolicy {

    private final List<String> allowed;

    /** @param allowed exact origins allowed (acp.webapi.allowed-origins); empty: the node's own listen address */
    OriginPolicy(Optional<List<String>> allowed) {
        this.allowed = allowed.orElse(List.of()).stream().map(OriginPolicy::normalize).toList();
    }

    private static List<String> ownOrigins(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        List<String> out = new java.util.ArrayList<>(List.of("http://" + h + ":" + port, "https://" + h + ":" + port));
        if (host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost")) {
            out.addAll(List.of("http://localhost:" + port, "https://localhost:" + port, "http://127.0.0.1:" + port, "http://[::1]:" + port));
        }
        return out;
    }

    /**
     * @param origin     the Origin header, or null
     * @param listenHost the address the connection arrived at (the kernel's, not the client's word)
     * @param listenPort its port
     */
    boolean permits(String origin, String listenHost, int listenPort) {
        if (origin == null) {
            return true;
        }
        List<String> ok = allowed.isEmpty() ? ownOrigins(listenHost, listenPort) : allowed;
        return ok.contains(normalize(origin));
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
