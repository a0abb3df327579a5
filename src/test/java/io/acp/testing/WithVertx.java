package io.acp.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Test base: one real Vert.x with the native transport (epoll, as a node runs it) per test class,
 * closed after the class. Test classes run one after another in a JVM, so the field is the class's own.
 */
public abstract class WithVertx {

    protected static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    }

    @AfterAll
    static void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
