package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.console.ByteEnd;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** What an operation answers: one result, or a stream of events. */
public sealed interface Outcome {

    /** One result frame (or one error frame if the Uni fails). */
    record Single(Uni<JsonNode> result) implements Outcome {
    }

    /**
     * A stream: first {@code {"stream": id}}, then one event per item, requested one at a time as
     * the connection can write them; {@code end} when the Multi completes or the client cancels.
     */
    record Stream(Multi<JsonNode> events) implements Outcome {
    }

    /**
     * The connection stops speaking frames: once {@code ready} gives the end to join, a last result
     * frame {@code {"attached": true}} is written and the connection's socket becomes a raw byte
     * stream handed to that consumer (a console, {@code console.attach}). If {@code ready} fails,
     * its error is answered as usual and the connection stays a framed one. Only the agent's
     * connections can be taken over; elsewhere this is refused.
     */
    record Takeover(Uni<Consumer<ByteEnd>> ready) implements Outcome {
    }

    static Outcome of(JsonNode result) {
        return new Single(Uni.createFrom().item(result));
    }

    /** One result from work that starts only when the answer is subscribed to. */
    static Outcome deferred(java.util.function.Supplier<Uni<? extends JsonNode>> work) {
        return new Single(Uni.createFrom().deferred(work).map(JsonNode.class::cast));
    }

    /**
     * What a failed operation answers: its own code for an {@link AcpException}, bad_request for
     * an IllegalArgumentException, else internal (logged, since it is a fault inside the node).
     */
    static Response.Failure failure(long id, Throwable t) {
        if (t instanceof AcpException e) {
            return Response.Failure.of(id, e);
        }
        if (t instanceof IllegalArgumentException) {
            return new Response.Failure(id, ErrorCode.BAD_REQUEST, t.getMessage());
        }
        Logger.getLogger(Outcome.class).errorf(t, "request %d failed inside the node", id);
        return new Response.Failure(id, ErrorCode.INTERNAL, t.getClass().getSimpleName() + ": " + t.getMessage());
    }
}
