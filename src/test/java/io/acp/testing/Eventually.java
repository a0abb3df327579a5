package io.acp.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until a deadline; the assertion fails with a description of what never happened. */
public final class Eventually {

    private Eventually() {
    }

    public static void await(Duration atMost, BooleanSupplier condition, String what) {
        await(atMost, condition, () -> what);
    }

    public static void await(Duration atMost, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + atMost + ": " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what.get());
            }
        }
    }
}
