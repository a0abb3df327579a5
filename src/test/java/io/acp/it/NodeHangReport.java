package io.acp.it;

import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Makes a test that timed out say what its node was doing: the node's log and a thread dump are
 * added to the timeout's failure. Together with {@code @Timeout(threadMode = SEPARATE_THREAD)} a
 * test stuck where an interrupt does not reach (a blocking read) fails at its limit with that
 * report, instead of holding the build until something outside kills it.
 */
final class NodeHangReport implements TestExecutionExceptionHandler {

    private final Supplier<NodeProcess> node;

    /** @param node the node under test when the test runs (may be null before it started) */
    NodeHangReport(Supplier<NodeProcess> node) {
        this.node = node;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        NodeProcess n = node.get();
        if (thrown instanceof TimeoutException && n != null && n.alive()) {
            throw new AssertionError(thrown.getMessage() + "\n--- node " + n.id() + "'s threads and log at the timeout:\n"
                    + String.join("\n", n.threadDump()), thrown);
        }
        throw thrown;
    }
}
