package io.acp.rest;

import io.acp.framework.ServiceManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node the REST tests share: a fresh data directory whose key file holds one key per role,
 * then every service started once (the first test class to ask starts it; Quarkus keeps the
 * application across classes of one profile).
 */
final class RestNode {

    static final String ADMIN = "acp_rest_test_admin";
    static final String OPERATOR = "acp_rest_test_operator";
    static final String READER = "acp_rest_test_reader";
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private RestNode() {
    }

    static void start(ServiceManager manager) throws IOException {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Path data = Path.of(RestNodeProfile.DIR, "data");
        if (Files.exists(data)) {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(data);
        StringBuilder keys = new StringBuilder("# test keys\n");
        Map.of("admin", ADMIN, "operator", OPERATOR, "read-only", READER).forEach((role, key) ->
                keys.append(role.replace("-", "")).append(' ').append(role).append(' ').append(sha256(key)).append('\n'));
        Files.writeString(data.resolve("api-keys"), keys.toString(), StandardCharsets.UTF_8);
        // Cluster sync seals every entry with the node's key: node a gets one from the test CA.
        TestPki.provision(ca(), data, "a");
        manager.startAll().await().atMost(Duration.ofSeconds(60));
    }

    /** The test cluster's CA, made once under {@code target/rest-test/ca}; peers get their node keys from it too. */
    static synchronized PkiFiles ca() {
        Path dir = Path.of(RestNodeProfile.DIR, "ca");
        PkiFiles ca = PkiFiles.in(dir);
        return ClusterPki.initialised(ca) ? ca : TestPki.newCluster(dir, "rest-test");
    }

    static String bearer(String key) {
        return "Bearer " + key;
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
