package io.acp.webapi;

import io.acp.api.ApiIdentity;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session tokens a browser keeps instead of the API key: made from an authenticated connection,
 * valid for a fixed time, held only in this node's memory (a restart ends every session) and only
 * as hashes. The key they were made from stays in memory with them, because a request routed to
 * another node is authorized there by the key.
 */
final class SessionTokens {

    static final String PREFIX = "acpw_";

    /** What a token stands for. */
    record Grant(ApiIdentity identity, String key, Instant expires) {
    }

    private final Map<String, Grant> byHash = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Duration ttl;
    private final int max;
    private final Clock clock;

    SessionTokens(Duration ttl, int max, Clock clock) {
        this.ttl = ttl;
        this.max = max;
        this.clock = clock;
    }

    static boolean looksLikeToken(String presented) {
        return presented != null && presented.startsWith(PREFIX);
    }

    /** A new token for {@code identity}, who authenticated with {@code key}. */
    Issued issue(ApiIdentity identity, String key) {
        if (byHash.size() >= max) {
            sweep();
            if (byHash.size() >= max) {
                throw new AcpException(ErrorCode.RATE_LIMITED, "this node holds " + max + " web sessions (acp.webapi.max-sessions); "
                        + "log in again once some expire");
            }
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Grant grant = new Grant(identity, key, clock.instant().plus(ttl));
        byHash.put(hash(token), grant);
        return new Issued(token, grant);
    }

    /** The token and what it grants. */
    record Issued(String token, Grant grant) {
    }

    /** The grant of a valid token, or null for an unknown or expired one. */
    Grant lookup(String token) {
        String h = hash(token);
        Grant g = byHash.get(h);
        if (g == null) {
            return null;
        }
        if (!clock.instant().isBefore(g.expires())) {
            byHash.remove(h, g);
            return null;
        }
        return g;
    }

    void revoke(String token) {
        byHash.remove(hash(token));
    }

    /** Drops expired tokens. */
    void sweep() {
        Instant now = clock.instant();
        byHash.values().removeIf(g -> !now.isBefore(g.expires()));
    }

    void clear() {
        byHash.clear();
    }

    int size() {
        return byHash.size();
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
