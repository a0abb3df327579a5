package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import org.jboss.logging.Logger;

/** Asks a guest to shut down and polls until it has; destroys it once the timeout has passed. */
final class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final SystemContext ctx;
    private final Duration timeout;

    GracefulShutdown(SystemContext ctx, Duration timeout) {
        this.ctx = ctx;
        this.timeout = timeout;
    }

    /** How long a guest gets to shut down before it is destroyed. */
    Duration timeout() {
        return timeout;
    }

    /** The shutdown itself, for callers that checked the system is here; answers its report. */
    Uni<ObjectNode> shutDown(String id) {
        return ctx.hv().call(b -> b.status(id)).chain(s -> {
            if (s.isEmpty() || s.get().state() == SystemState.STOPPED) {
                return ctx.report(id);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean paused = s.get().state() == SystemState.PAUSED;
            return ctx.hv().run(b -> {
                if (paused) {
                    b.resume(id); // a paused guest cannot see the shutdown request
                }
                b.shutdown(id);
            }).chain(() -> awaitStopped(id, deadline));
        });
    }

    private Uni<ObjectNode> awaitStopped(String id, long deadline) {
        return ctx.hv().call(b -> b.status(id)).chain(s -> {
            if (s.isEmpty() || s.get().state() == SystemState.STOPPED) {
                return ctx.report(id);
            }
            if (System.nanoTime() - deadline > 0) {
                LOG.warnf("system %s on node %s did not shut down within %s; destroying it", id, ctx.nodeId(), timeout);
                return ctx.hv().run(b -> b.destroy(id)).chain(() -> ctx.report(id));
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> awaitStopped(id, deadline));
        });
    }
}
