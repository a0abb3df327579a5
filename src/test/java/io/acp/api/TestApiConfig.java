package io.acp.api;

import java.nio.file.Path;
import java.time.Duration;

/** ApiConfig values for tests: any free TCP port, short idle timeout, few auth failures. */
record TestApiConfig(Path socket, String host, int port, int maxFrameBytes, Duration idleTimeout, int maxAuthFailures) implements ApiConfig {

        @Override
        public int maxConnections() {
            return 512;
        }

        @Override
        public int maxConnectionsPerPeer() {
            return 64;
        }

        @Override
        public Tasks tasks() {
            return io.acp.api.TaskLimits.DEFAULTS;
        }


    static TestApiConfig in(Path dir) {
        return new TestApiConfig(dir.resolve("run").resolve("api.sock"), "127.0.0.1", 0, 4096, Duration.ofSeconds(30), 3);
    }

    TestApiConfig withHost(String h) {
        return new TestApiConfig(socket, h, port, maxFrameBytes, idleTimeout, maxAuthFailures);
    }

    TestApiConfig withIdleTimeout(Duration d) {
        return new TestApiConfig(socket, host, port, maxFrameBytes, d, maxAuthFailures);
    }
}
