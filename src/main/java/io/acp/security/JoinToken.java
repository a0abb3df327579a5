package io.acp.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * What {@code acp cluster join-token} prints and {@code acp node join --token} reads: the SHA-256
 * of the cluster CA's public key (to pin the issuer before sending anything), a random secret, an
 * expiry, the issuer's join addresses ({@code host:port}), the node the token admits and the node
 * that issued it. The joiner uses the last two to refuse early (wrong node) and to check that the
 * join port is the issuer's agent; the issuer enforces the binding from its own record
 * ({@link JoinTokens}), never from what the token says.
 */
public record JoinToken(String caKeyHash, String secret, Instant expires, List<String> addresses, String node, String issuer) {

    static final String PREFIX = "acpjoin2.";

    public JoinToken {
        addresses = List.copyOf(addresses);
    }

    public String encode() {
        ObjectNode o = Json.object().put("ca", caKeyHash).put("secret", secret).put("exp", expires.getEpochSecond())
                .put("node", node).put("by", issuer);
        ArrayNode a = o.putArray("join");
        addresses.forEach(a::add);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(o.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a token; the message of the exception says it is not one, without echoing it. */
    public static JoinToken parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.startsWith("acpjoin1.")) {
            throw new IllegalArgumentException("this join token is of an older kind that names no node; issue a new one with "
                    + "'acp cluster join-token --node NAME'");
        }
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an acp join token (it should start with '" + PREFIX + "'); copy it whole from 'acp cluster join-token'");
        }
        try {
            JsonNode o = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(t.substring(PREFIX.length())));
            List<String> join = new ArrayList<>();
            o.path("join").forEach(n -> join.add(n.asText()));
            String ca = o.path("ca").asText("");
            String secret = o.path("secret").asText("");
            String node = o.path("node").asText("");
            String issuer = o.path("by").asText("");
            if (!ca.matches("[0-9a-f]{64}") || secret.length() < 32 || !o.path("exp").isIntegralNumber() || join.isEmpty()
                    || node.isEmpty() || issuer.isEmpty()) {
                throw new IllegalArgumentException("incomplete");
            }
            return new JoinToken(ca, secret, Instant.ofEpochSecond(o.path("exp").asLong()), join, node, issuer);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new IllegalArgumentException("the join token is damaged (cannot read it); copy it whole from 'acp cluster join-token'");
        }
    }

    /** Hex SHA-256 of the certificate's public key (its DER SubjectPublicKeyInfo), the token's pin. */
    public static String keyHash(X509Certificate cert) {
        return sha256(cert.getPublicKey().getEncoded());
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
