package io.acp.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** Every frame a server sends: a result, an error, or an item or end of a stream. */
public sealed interface Response {

    /** The id of the request this answers; 0 when the request could not be read at all. */
    long id();

    record Result(long id, JsonNode result) implements Response {
    }

    record Failure(long id, ErrorCode code, String message) implements Response {

        public static Failure of(long id, AcpException e) {
            return new Failure(id, e.code(), e.getMessage());
        }
    }

    /** One item of a stream opened by the request {@code id}. */
    record Event(long id, JsonNode event) implements Response {
    }

    /** The stream opened by {@code id} has ended normally (errors end it with a Failure). */
    record End(long id) implements Response {
    }
}
