package io.acp.api;

import io.acp.testing.WithVertx;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Test base: a fresh {@link TestNode} with keys for every role in a temp dir for each test. */
abstract class WithNode extends WithVertx {

    @TempDir
    Path dir;
    TestNode node;

    @BeforeEach
    void startNode() throws IOException {
        node = TestNode.start(vertx, dir);
    }

    @AfterEach
    void stopNode() {
        node.close();
    }
}
