package io.acp.api;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Test base: one real Vert.x with the native transport per test class, closed after it. */
abstract class WithVertx {

    static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = TestNode.nativeVertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
