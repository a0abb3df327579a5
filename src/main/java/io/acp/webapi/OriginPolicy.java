package io.acp.webapi;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which browser pages may open the WebSocket. A browser always sends {@code Origin} on a WebSocket
 * upgrade, and a page of another site must not drive the node with the user's session. Clients
 * that are not browsers send no Origin and are not at risk of that, so they pass; they still need a key.
 */
final class OriginPolicy {

    private final List<String> allowed;

    /** @param allowed exact origins allowed; empty means same-origin only */
    OriginPolicy(Optional<List<String>> allowed) {
        this.allowed = allowed.orElse(List.of()).stream().map(OriginPolicy::normalize).toList();
    }

    /**
     * @param origin the Origin header, or null
     * @param host   the Host header the request was sent to, or null
     */
    boolean permits(String origin, String host) {
        if (origin == null) {
            return true;
        }
        String o = normalize(origin);
        if (!allowed.isEmpty()) {
            return allowed.contains(o);
        }
        return host != null && authorityOf(o).equals(host.toLowerCase(Locale.ROOT));
    }

    private static String authorityOf(String origin) {
        try {
            String authority = URI.create(origin).getRawAuthority();
            return authority == null ? "" : authority;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
