package io.acp.webapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session tokens a browser keeps instead of the API key. A token is the key and its expiry sealed
 * with AES-256-GCM under a secret of this node ({@code <data-dir>/webapi.secret}, 0600), so it
 * survives a restart of the node (the UI reconnects without asking again) and the node keeps no
 * table of sessions. Opening a token yields the key, which is then checked like any key: revoking
 * the key ends its sessions too. A session has an absolute lifetime: a token used to log in
 * again yields one that expires when the first did, so refreshing never extends a stolen token.
 * Logout revokes one token until it would have expired; revocations are appended to
 * {@code <data-dir>/webapi.revoked} (0600, a SHA-256 of each token, never the token) and read at
 * start, so a logout survives a restart.
 */
final class SessionTokens {

    static final String PREFIX = "acpw_";
    static final String SECRET_FILE = "webapi.secret";
    static final String REVOKED_FILE = "webapi.revoked";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** What an open token holds. */
    record Opened(String key, Instant expires) {
    }

    private final SecretKey secret;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Revoked tokens by their SHA-256 (hex), with when they would have expired. */
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    private final Path revokedFile;

    SessionTokens(byte[] secret, Duration ttl, Clock clock) {
        this(secret, ttl, clock, null);
    }

    /** @param revokedFile where revocations are kept across restarts; null: in memory only (tests). Read here: blocking. */
    SessionTokens(byte[] secret, Duration ttl, Clock clock, Path revokedFile) {
        this.secret = new SecretKeySpec(secret, "AES");
        this.ttl = ttl;
        this.clock = clock;
        this.revokedFile = revokedFile;
        if (revokedFile != null && Files.exists(revokedFile)) {
            try {
                Instant now = clock.instant();
                for (String line : Files.readAllLines(revokedFile, StandardCharsets.US_ASCII)) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 2 && f[0].length() == 64) {
                        Instant expires = Instant.ofEpochSecond(Long.parseLong(f[1]));
                        if (now.isBefore(expires)) {
                            revoked.put(f[0], expires);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException("cannot read the revoked web sessions in " + revokedFile + ": " + e.getMessage(), e);
            }
        }
    }

    private static String digest(String token) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    /** Reads the node's token secret, creating it (0600) on first use. Blocking. */
    static byte[] loadSecret(Path dataDir) {
        Path file = dataDir.resolve(SECRET_FILE);
        try {
            if (Files.exists(file)) {
                byte[] s = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
                if (s.length != 32) {
                    throw new IllegalStateException(file + " must hold 32 bytes in base64; delete it to make a new one (ends every web session)");
                }
                return s;
            }
            byte[] s = new byte[32];
            new SecureRandom().nextBytes(s);
            Files.createDirectories(dataDir);
            Path tmp = Files.createTempFile(dataDir, "." + SECRET_FILE, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, Base64.getEncoder().encodeToString(s) + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file + ": " + e.getMessage(), e);
        }
    }

    static boolean looksLikeToken(String presented) {
        return presented != null && presented.startsWith(PREFIX);
    }

    /** A new token and when it expires. */
    record Issued(String token, Instant expires) {
    }

    /** A token standing for {@code key} until now + ttl. */
    Issued issue(String key) {
        return issue(key, null);
    }

    /**
     * A token standing for {@code key} until now + ttl, but never after {@code notAfter} (the
     * expiry of the token the session logged in with: refreshing keeps the absolute lifetime).
     */
    Issued issue(String key, Instant notAfter) {
        Instant expires = clock.instant().plus(ttl);
        if (notAfter != null && notAfter.isBefore(expires)) {
            expires = notAfter;
        }
        byte[] plain = (expires.getEpochSecond() + "\n" + key).getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, secret, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(PREFIX.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = c.doFinal(plain);
            return new Issued(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length)
                    .put(nonce).put(sealed).array()), expires);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** The key of a valid token; null for a forged, damaged, expired or revoked one. */
    Opened open(String token) {
        if (!looksLikeToken(token) || revoked.containsKey(digest(token))) {
            return null;
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token.substring(PREFIX.length()));
            if (raw.length <= NONCE_BYTES) {
                return null;
            }
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            c.updateAAD(PREFIX.getBytes(StandardCharsets.US_ASCII));
            String plain = new String(c.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES), StandardCharsets.UTF_8);
            int nl = plain.indexOf('\n');
            Instant expires = Instant.ofEpochSecond(Long.parseLong(plain.substring(0, nl)));
            return clock.instant().isBefore(expires) ? new Opened(plain.substring(nl + 1), expires) : null;
        } catch (GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Refuses {@code token} from now on (until it would have expired anyway), also after a restart. Blocking: it appends to the file. */
    void revoke(String token, Instant expires) {
        String d = digest(token);
        revoked.put(d, expires);
        if (revokedFile != null) {
            try {
                if (!Files.exists(revokedFile)) {
                    Files.createFile(revokedFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(revokedFile, java.nio.file.StandardOpenOption.APPEND)) {
                    ch.write(ByteBuffer.wrap((d + " " + expires.getEpochSecond() + "\n").getBytes(StandardCharsets.US_ASCII)));
                    ch.force(true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the logout in " + revokedFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** Forgets revocations of tokens that have expired since. */
    void sweep() {
        Instant now = clock.instant();
        revoked.values().removeIf(e -> !now.isBefore(e));
    }

    int revokedCount() {
        return revoked.size();
    }
}
