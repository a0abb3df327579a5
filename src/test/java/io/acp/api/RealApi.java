package io.acp.api;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** A real ApiService on a Unix socket in {@code dir}, for tests outside this package (the CLI's). */
public final class RealApi {

    public static final String ADMIN_KEY = TestNode.ADMIN_KEY;
    public static final String OPERATOR_KEY = TestNode.OPERATOR_KEY;

    private RealApi() {
    }

    /** Writes the test keys into {@code dataDir} and starts the API of {@code node} on {@code dir}/run/api.sock. */
    public static ApiService start(Vertx vertx, Path dir, String node, Path dataDir, LocalServices services) throws IOException {
        TestNode.writeKeys(dataDir);
        ApiService api = new ApiService(TestApiConfig.in(dir), node, dataDir, services, null, vertx, "0");
        api.start(TestNode.context()).await().atMost(Duration.ofSeconds(10));
        return api;
    }

    public static Vertx nativeVertx() {
        return TestNode.nativeVertx();
    }
}
