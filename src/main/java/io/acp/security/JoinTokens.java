package io.acp.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The join tokens a CA node has issued, in {@code <data-dir>/pki/join-tokens} (0600): one line
 * {@code sha256-of-secret expiry-epoch unused|used node replace(0|1) from-ips|-} per token (see
 * {@link JoinBinding}); the secrets themselves are never stored. Lines of the older three-field
 * form name no node and are dropped. Blocking (files): call on a worker.
 */
public final class JoinTokens {

    public static final Duration MAX_TTL = Duration.ofHours(24);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PkiFiles files;

    public JoinTokens(PkiFiles files) {
        this.files = files;
    }

    private Path store() {
        return files.dir().resolve("join-tokens");
    }

    /**
     * Issues a token valid for {@code ttl} (at most 24 h) that admits only {@code binding} and names
     * {@code addresses} as the join ports of {@code issuer} (this node).
     */
    public JoinToken issue(Duration ttl, List<String> addresses, String issuer, JoinBinding binding) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("a join token lives more than 0 and at most 24 hours, not " + ttl);
        }
        return issueExpiring(Instant.now().plus(ttl), addresses, issuer, binding);
    }

    /** Issues a token expiring at {@code expires}; tests use a past instant to get an expired one. */
    public synchronized JoinToken issueExpiring(Instant expires, List<String> addresses, String issuer, JoinBinding binding) {
        CertificateAuthority ca = ClusterPki.loadAuthority(files);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String s = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        List<String> lines = lines();
        lines.removeIf(l -> expired(l, Instant.now().minus(MAX_TTL)));
        lines.add(JoinToken.sha256(s.getBytes(StandardCharsets.UTF_8)) + " " + expires.getEpochSecond() + " unused " + binding.stored());
        save(lines);
        return new JoinToken(JoinToken.keyHash(ca.certificate()), s, expires, addresses, binding.node(), issuer);
    }

    /**
     * Marks the token with {@code secret} used and answers what it admits; throws with what is
     * wrong if it is unknown, used or expired. The secret is compared by hash in constant time. A
     * token is used up by its first redemption even if the join is then refused (wrong name,
     * address or an existing member): a refused attempt cannot be retried with the same token.
     */
    public synchronized JoinBinding redeem(String secret) {
        byte[] presented = JoinToken.sha256(secret.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
        List<String> lines = lines();
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            if (MessageDigest.isEqual(presented, f[0].getBytes(StandardCharsets.US_ASCII))) {
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalStateException("the join token is not known to this node (issue one with 'acp cluster join-token' on it)");
        }
        String[] f = lines.get(found).split(" ");
        if (f[2].equals("used")) {
            throw new IllegalStateException("the join token was already used; issue a new one with 'acp cluster join-token'");
        }
        if (Instant.ofEpochSecond(Long.parseLong(f[1])).isBefore(Instant.now())) {
            throw new IllegalStateException("the join token expired at " + Instant.ofEpochSecond(Long.parseLong(f[1])) + "; issue a new one");
        }
        lines.set(found, f[0] + " " + f[1] + " used " + f[3] + " " + f[4] + " " + f[5]);
        save(lines);
        return JoinBinding.parseStored(f[3], f[4], f[5]);
    }

    private static boolean expired(String line, Instant before) {
        return Instant.ofEpochSecond(Long.parseLong(line.split(" ")[1])).isBefore(before);
    }

    private List<String> lines() {
        try {
            List<String> out = new ArrayList<>();
            if (Files.exists(store())) {
                for (String l : Files.readAllLines(store(), StandardCharsets.UTF_8)) {
                    if (l.split(" ").length == 6) {
                        out.add(l);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + store() + ": " + e.getMessage(), e);
        }
    }

    private void save(List<String> lines) {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l).append('\n'));
        PrivateFiles.write(store(), b.toString(), "rw-------");
    }
}
