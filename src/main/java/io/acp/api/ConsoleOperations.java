package io.acp.api;

import io.acp.console.ByteEnd;
import io.acp.console.ConsoleEndpoints;
import io.acp.console.ConsoleKind;
import io.acp.console.ConsoleRelay;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Service {@code console}: {@code attach} turns a node's agent connection into a console of a
 * system running here (node-only: the dispatcher required a node certificate and an operator or
 * admin caller). The node that serves the browser sends it; the connection then carries the
 * console's raw bytes both ways ({@link Outcome.Takeover}) until either side closes it or it idles.
 */
final class ConsoleOperations implements ServiceOperations {

    /** Consoles this node relays for other nodes at once: each serial one holds a reading thread. */
    static final int MAX_ATTACHED = 32;
    /** The longest idle timeout a caller may ask for; the WebAPI's own is usually shorter. */
    static final Duration MAX_IDLE = Duration.ofHours(1);

    private final Supplier<ConsoleEndpoints> consoles;
    private final Vertx vertx;
    private final String localNode;
    private final AtomicInteger attached = new AtomicInteger();

    ConsoleOperations(Supplier<ConsoleEndpoints> consoles, Vertx vertx, String localNode) {
        this.consoles = consoles;
        this.vertx = vertx;
        this.localNode = localNode;
    }

    @Override
    public String service() {
        return "console";
    }

    @Override
    public List<String> operations() {
        return List.of("attach");
    }

    @Override
    public Outcome call(Request request, Session session) {
        if (!operations().contains(request.op())) {
            throw unknown(request);
        }
        Args args = new Args(request.op(), request.args());
        String id = args.text("id");
        ConsoleKind kind = ConsoleKind.parse(args.text("kind"));
        Duration idle = args.has("idleSeconds") ? Duration.ofSeconds(args.positiveLong("idleSeconds")) : MAX_IDLE;
        Duration bounded = idle.compareTo(MAX_IDLE) > 0 ? MAX_IDLE : idle;
        if (attached.get() >= MAX_ATTACHED) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + localNode + " relays " + MAX_ATTACHED
                    + " consoles for other nodes already, the most it does at once; close one and retry");
        }
        return new Outcome.Takeover(consoles.get().open(id, kind)
                .map(upstream -> (Consumer<ByteEnd>) agentSide -> {
                    attached.incrementAndGet();
                    ConsoleRelay.join(vertx, agentSide, upstream, bounded, attached::decrementAndGet);
                }));
    }

    /** Consoles relayed now (for tests). */
    int attached() {
        return attached.get();
    }
}
