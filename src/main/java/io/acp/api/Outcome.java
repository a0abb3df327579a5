package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

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

    static Outcome of(JsonNode result) {
        return new Single(Uni.createFrom().item(result));
    }
}
