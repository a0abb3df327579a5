package io.acp.api;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * API keys of this node: {@code <data-dir>/api-keys} (0600) holds one {@code <name> <role> <sha256-hex>}
 * per line, {@code #} starts a comment. Keys are never stored or logged in clear. On first start an
 * admin key is generated and written to {@code <data-dir>/admin.key} (0600) for root's local CLI.
 */
public final class ApiKeyStore {

    private static final Logger LOG = Logger.getLogger(ApiKeyStore.class);
    static final String KEYS_FILE = "api-keys";
    static final String ADMIN_KEY_FILE = "admin.key";
    private static final String KEY_PREFIX = "acp_";
    private static final String UNAUTHORIZED = "missing or wrong API key";

    private record StoredKey(ApiIdentity identity, byte[] hash) {
    }

    private final List<StoredKey> keys;

    private ApiKeyStore(List<StoredKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Loads the keys of {@code dataDir}, creating the file and an admin key if there is none. Blocking. */
    public static ApiKeyStore open(Path dataDir) {
        try {
            Path file = dataDir.resolve(KEYS_FILE);
            if (!Files.exists(file)) {
                createWithAdminKey(dataDir, file);
            }
            return new ApiKeyStore(parse(file, Files.readAllLines(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read API keys in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The identity of a presented key. Every stored hash is compared in constant time, without
     * stopping at a match, so timing tells nothing about which key (if any) was close.
     *
     * @throws AcpException UNAUTHORIZED, the same for a missing and a wrong key
     */
    public ApiIdentity authenticate(String key) {
        byte[] presented = sha256(key == null ? "" : key);
        ApiIdentity found = null;
        for (StoredKey k : keys) {
            if (MessageDigest.isEqual(presented, k.hash()) & found == null) {
                found = k.identity();
            }
        }
        if (key == null || found == null) {
            throw new AcpException(ErrorCode.UNAUTHORIZED, UNAUTHORIZED);
        }
        return found;
    }

    public int size() {
        return keys.size();
    }

    static String newKey() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static void createWithAdminKey(Path dataDir, Path file) throws IOException {
        Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        String key = newKey();
        Path keyFile = dataDir.resolve(ADMIN_KEY_FILE);
        writePrivate(keyFile, key + "\n");
        writePrivate(file, "# API keys of this node: <name> <role> <sha256-hex of the key>; roles: admin, operator, read-only\n"
                + "admin admin " + HexFormat.of().formatHex(sha256(key)) + "\n");
        LOG.infof("Generated the admin API key; it is in %s (mode 0600)", keyFile);
    }

    /** Writes a 0600 file atomically: the content never exists under the name with wider permissions. */
    private static void writePrivate(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<StoredKey> parse(Path file, List<String> lines) {
        List<StoredKey> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            String where = file + " line " + (i + 1);
            if (f.length != 3) {
                throw new IllegalArgumentException(where + ": expected '<name> <role> <sha256-hex>'");
            }
            if (!f[2].matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(where + ": the hash of key '" + f[0] + "' is not 64 hex digits");
            }
            Role role;
            try {
                role = Role.parse(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            out.add(new StoredKey(new ApiIdentity(f[0], role), HexFormat.of().parseHex(f[2])));
        }
        return out;
    }
}
